import Testing
@Test func placeholderEGraphKitTests() { #expect(Bool(true)) }
