import Testing
@Test func placeholderFusionCLITests() { #expect(Bool(true)) }
