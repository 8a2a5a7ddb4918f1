import XCTest
import Tensor
import TestSupport

/// Behaviour of the autograd engine (book §2.5) and of copy-on-write storage (§2.1.5).
final class AutogradTests: XCTestCase {
    func leaf(_ values: [Float]) -> Tensor { var t = Tensor(values); t.requiresGrad = true; return t }

    func testGradientsAccumulateAndZeroGrad() {
        let x = leaf([1, 2, 3])
        (x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2, 4, 6])
        (x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [4, 8, 12], "a second backward adds to .grad")
        x.zeroGrad()
        XCTAssertNil(x.grad)
        (3 * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [3, 3, 3])
    }

    func testDetachedStopsGradient() {
        let x = leaf([1, 2])
        let u = (x * x).detached()
        (u * x).sum().backward()   // §2.5.3: z = u·x with u constant → dz/dx = u
        XCTAssertEqual(x.grad?.scalars, [1, 4])
    }

    func testNoGradRecordsNothing() {
        let x = leaf([1, 2])
        let y = withNoGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue((x * 2).requiresGrad)
    }

    func testReshapeSharesStorageAndCopiesOnWrite() {
        let x = Tensor.arange(6)
        var y = x.reshaped(to: [2, 3])
        XCTAssertTrue(y.sharesStorage(with: x))
        y[0, 0] = 100
        XCTAssertFalse(y.sharesStorage(with: x))
        XCTAssertEqual(x.scalars[0], 0, "the original is untouched")
        XCTAssertEqual(y[0, 0], 100)
    }

    func testPlusEqualsOnUniqueTensorKeepsStorage() {
        var x = Tensor.zeros([3, 4])
        let before = x.storage.pointer  // not a reference: holding the storage would force a copy
        x += Tensor.ones([4])
        XCTAssertTrue(x.storage.pointer == before, "X += Y reuses X's memory (§2.1.5)")
        XCTAssertEqual(x.scalars, [Float](repeating: 1, count: 12))
        let z = x + Tensor.ones([4])
        XCTAssertFalse(z.storage === x.storage, "X = X + Y allocates")
    }

    func testUnsqueezeAndSqueezeShareStorage() {
        let x = Tensor.arange(6).reshaped(to: [2, 3])
        XCTAssertTrue(x.unsqueezed(0).sharesStorage(with: x))
        XCTAssertEqual(x.unsqueezed(-1).shape, [2, 3, 1])
        XCTAssertEqual(x.unsqueezed(1).squeezed(1).shape, [2, 3])
    }

    func testSharedSubexpressionGetsBothContributions() {
        let x = leaf([3])
        let y = x * x
        (y + y).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [12])
    }
}
