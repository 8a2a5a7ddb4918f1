/// Which register tiles the GEMM kernels were compiled with. The tiles are sized to the build
/// machine's vector registers (Package.swift defines `D2L_AVX512` when the machine that compiles
/// with `-target-cpu native` has AVX-512F):
/// - AVX-512: 32 registers of 16 floats; the blocked GEMM keeps a 12×32 tile of `C` in 24
///   `SIMD16<Float>` accumulators, the small-M GEMM a 4×64 tile in 16;
/// - otherwise (AVX2, and the portable or non-x86 builds): 16 registers of 8 floats (AVX2);
///   the same tiles would spill half their accumulators to the stack, so the blocked GEMM keeps
///   a 6×16 tile (12 ymm accumulators) and the small-M GEMM a 6×16 tile.
extension Kernels {
    /// True when this build uses the AVX-512 tiles.
    public static let wideRegisterTiles: Bool = {
        #if D2L_AVX512
        return true
        #else
        return false
        #endif
    }()

    /// A short description for benchmark headers, e.g. `AVX-512 tiles (GEMM 12x32, small-M 4x64)`.
    public static var registerTileDescription: String {
        (wideRegisterTiles ? "AVX-512" : "AVX2") + " tiles (GEMM \(gemmMR)x\(gemmNR), small-M \(gemmSmallMR)x\(gemmSmallNR))"
    }
}
