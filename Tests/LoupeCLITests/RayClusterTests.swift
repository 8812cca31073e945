import Foundation
import XCTest

/// Sweeps on a real two-node Ray cluster (Ray 2.60.0 from PyPI in .build/ray-venv, made on first use):
/// bench/ray_sweep.sh without its timed runs starts the cluster on this machine and checks that 8 shards
/// through `loupe submit` merge byte-identical to a single run, that killing a node's raylet mid-sweep loses
/// nothing, that a rerun after deleting 3 shards runs only those 3, and that a deterministic error runs once.
/// Skips only when PyPI cannot be reached.
final class RayClusterTests: XCTestCase {
    func testShardsOnATwoNodeClusterMergeAsOneMachine() throws {
        let model = Fixtures.packageRoot.appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: model.path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("the default model is missing: run scripts/fetch-model.sh") }
            throw XCTSkip("the default model is not fetched (scripts/fetch-model.sh)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["RUNS"] = "0"
        environment["LOUPE"] = try LoupeBinary.locate().path
        let script = Fixtures.packageRoot.appendingPathComponent("bench/ray_sweep.sh").path
        let result = try KernelClientTests.run("/bin/bash", [script, "64"], environment: environment)
        print(result.output)
        if result.output.contains("SKIP: PyPI cannot be reached") { throw XCTSkip(result.output) }
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("ALL PASSED"), result.output)
    }
}
