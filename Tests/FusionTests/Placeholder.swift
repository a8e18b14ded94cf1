import Testing
@Test func placeholderFusionTests() { #expect(Bool(true)) }
