import Testing
@Test func placeholderTensorGraphTests() { #expect(Bool(true)) }
