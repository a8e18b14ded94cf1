import Testing
import TensorGraph

@Suite struct TensorTypeTests {
    @Test func elementCountIsTheProductOfTheShape() {
        #expect(TensorType(.f32, [4, 784]).elementCount == 3136)
        #expect(TensorType(.f32, [1]).elementCount == 1)
        #expect(TensorType(.f32, [2, 3, 5]).rank == 3)
    }

    @Test func byteSizeOfUnquantizedTypes() {
        #expect(TensorType(.f32, [10, 3]).byteSize == 120)
        #expect(TensorType(.u32, [7]).byteSize == 28)
        #expect(TensorType(.f16, [10, 3]).byteSize == 60)
    }

    @Test func quantizedTypesCountWholeBlocksOf32() {
        #expect(TensorType(.q4_0, [32]).byteSize == 20)
        #expect(TensorType(.q4_0, [576, 1536]).byteSize == 576 * 1536 / 32 * 20)
        #expect(TensorType(.q8_0, [64]).byteSize == 72)
        // A partial block still takes a whole block.
        #expect(TensorType(.q4_0, [33]).byteSize == 40)
        #expect(TensorType(.q8_0, [1]).byteSize == 36)
    }

    @Test func dtypeNamesAreTheFormatNames() {
        #expect(DType.allCases.map(\.rawValue) == ["f32", "f16", "u32", "q4_0", "q8_0"])
        #expect(TensorType(.q8_0, [2, 3]).description == "q8_0 [2, 3]")
    }
}
