import XCTest
import Foundation
@testable import Tensor

/// The GEMM register tiles match the machine the tests run on (Package.swift reads the CPU
/// flags of the build machine, which is this one unless the build was copied): AVX-512 tiles
/// only where the CPU has AVX-512F, or as `D2L_AVX512` forces.
final class RegisterTilesTests: XCTestCase {
    func testTilesMatchThisCPU() throws {
        #if os(Linux) && arch(x86_64)
        let expected: Bool
        let environment = ProcessInfo.processInfo.environment
        if environment["D2L_PORTABLE"] != nil {
            expected = false
        } else if let forced = environment["D2L_AVX512"] {
            expected = forced == "1"
        } else {
            let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
            expected = flags.split(separator: " ").contains("avx512f")
        }
        XCTAssertEqual(Kernels.wideRegisterTiles, expected, Kernels.registerTileDescription)
        #else
        XCTAssertFalse(Kernels.wideRegisterTiles, Kernels.registerTileDescription)
        #endif
        // The tiles the description names are the ones the kernels use.
        XCTAssertEqual(Kernels.registerTileDescription.contains("small-M \(Kernels.gemmSmallMR)x\(Kernels.gemmSmallNR)"), true)
        XCTAssertEqual(Kernels.gemmSmallMR * Kernels.gemmSmallNR, Kernels.wideRegisterTiles ? 256 : 96)
    }
}
