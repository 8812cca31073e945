import Foundation
import XCTest

/// `loupe run --shard K/N`, `loupe merge` and `loupe slurm` on the real binary: shards merged equal a
/// single-machine run byte for byte; merge refuses inconsistent shards naming the shard and the field.
final class SweepShardTests: XCTestCase {
    static let notebook = Fixtures.packageRoot.appendingPathComponent("notebooks/sweep_prompts.loupe")
    static let slow = Fixtures.notebook("sweep_slow.loupe")
    let parameters = ["-p", "n_prompts=7"]

    private func run(_ arguments: [String]) throws -> LoupeBinary.Result {
        try LoupeBinary.run(arguments)
    }

    private func shard(_ k: Int, of n: Int, out: URL, notebook: URL = notebook, extra: [String] = []) throws -> LoupeBinary.Result {
        try run(["run", notebook.path, "--shard", "\(k)/\(n)", "--out", out.path, "-q"] + parameters + extra)
    }

    private func manifestURL(_ out: URL, _ name: String) -> URL {
        out.appendingPathComponent("shards/\(name)/manifest.json")
    }

    /// Edits a manifest field (the files it lists keep their hashes).
    private func edit(_ url: URL, _ change: (inout [String: Any]) -> Void) throws {
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        change(&json)
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
    }

    func testThreeShardsMergedEqualTheSingleRunByteForByte() throws {
        let model = Fixtures.packageRoot.appendingPathComponent("models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: model.path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("the default model is missing: run scripts/fetch-model.sh") }
            throw XCTSkip("the default model is not fetched (scripts/fetch-model.sh)")
        }
        let root = try Fixtures.temporaryDirectory("sweep")
        defer { try? FileManager.default.removeItem(at: root) }
        let single = root.appendingPathComponent("single"), sharded = root.appendingPathComponent("sharded")
        let one = try run(["run", Self.notebook.path, "--out", single.path, "-q"] + parameters)
        XCTAssertEqual(one.status, 0, one.stderr)
        for k in 0..<3 {
            let r = try shard(k, of: 3, out: sharded)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sharded.appendingPathComponent("index.html").path),
                       "a shard runs no reduce and writes no report")
        let again = try shard(1, of: 3, out: sharded)
        XCTAssertEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("already complete"), again.stderr)
        let merged = try run(["merge", sharded.path, "-q"])
        XCTAssertEqual(merged.status, 0, merged.stderr)

        let files = ["sweeps/prompts.csv", "sweeps/prompts-resid.safetensors", "sweeps/prompts-entropy.safetensors",
                     "activations.safetensors", "figures/01-cosine-similarity-of-resid-post-3-last-p.svg"]
        for file in files {
            let a = try Data(contentsOf: single.appendingPathComponent(file))
            let b = try Data(contentsOf: sharded.appendingPathComponent(file))
            XCTAssertEqual(a, b, "\(file) differs between the single run and the merge")
        }
        for file in ["index.html", "notebook.ipynb"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: sharded.appendingPathComponent(file).path), file)
        }
        let csv = try String(contentsOf: sharded.appendingPathComponent("sweeps/prompts.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 8, "a header and 7 prompts")
        let manifest = try String(contentsOf: manifestURL(sharded, "2-of-3"), encoding: .utf8)
        for field in ["\"notebook_sha256\"", "\"models\"", "\"blas_threads\"", "\"n_prompts=7\"", "\"loupe_version\""] {
            XCTAssertTrue(manifest.contains(field), field)
        }

        // A second copy of the shards is accepted while its bytes are equal…
        let copy = root.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: sharded.appendingPathComponent("shards"), to: copy.appendingPathComponent("shards"))
        let twice = try run(["merge", sharded.path, copy.path, "--out", root.appendingPathComponent("m2").path, "-q"])
        XCTAssertEqual(twice.status, 0, twice.stderr)
        // …and refused once one of its files differs, even with a manifest that matches it.
        let tensor = copy.appendingPathComponent("shards/1-of-3/entropy.safetensors")
        var bytes = try Data(contentsOf: tensor)
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: tensor)
        let hashMismatch = try run(["merge", sharded.path, copy.path, "--out", root.appendingPathComponent("m3").path])
        XCTAssertEqual(hashMismatch.status, 1)
        XCTAssertTrue(hashMismatch.stderr.contains("1-of-3") && hashMismatch.stderr.contains("entropy.safetensors has SHA-256"), hashMismatch.stderr)
        let hash = try Self.sha256(tensor)
        try edit(manifestURL(copy, "1-of-3")) { json in
            var files = json["files"] as! [String: String]
            files["entropy.safetensors"] = hash
            json["files"] = files
        }
        let differing = try run(["merge", sharded.path, copy.path, "--out", root.appendingPathComponent("m4").path])
        XCTAssertEqual(differing.status, 1)
        XCTAssertTrue(differing.stderr.contains("shard 1-of-3 is present twice with different bytes") &&
                      differing.stderr.contains("entropy.safetensors"), differing.stderr)
        try FileManager.default.removeItem(at: copy)

        // Manifests that disagree: each refusal names the shard and the field.
        for (field, value) in [("notebook_sha256", "0" as Any), ("parameters", ["n_prompts=8"] as Any),
                               ("models", ["another model @ 1234"] as Any), ("loupe_version", "9.9" as Any)] {
            let bad = root.appendingPathComponent("bad-\(field)")
            try FileManager.default.copyItem(at: sharded.appendingPathComponent("shards"), to: bad.appendingPathComponent("shards"))
            try edit(manifestURL(bad, "2-of-3")) { $0[field] = value }
            let refused = try run(["merge", bad.path])
            XCTAssertEqual(refused.status, 1, field)
            XCTAssertTrue(refused.stderr.contains("2-of-3") && refused.stderr.contains("field \(field)"), "\(field): \(refused.stderr)")
        }
        // An item claimed by two shards.
        let overlap = root.appendingPathComponent("overlap")
        try FileManager.default.copyItem(at: sharded.appendingPathComponent("shards"), to: overlap.appendingPathComponent("shards"))
        try edit(manifestURL(overlap, "2-of-3")) { $0["items"] = [2, 4, 5, 6] }
        let twiceItem = try run(["merge", overlap.path])
        XCTAssertEqual(twiceItem.status, 1)
        XCTAssertTrue(twiceItem.stderr.contains("item 2 is in shard 1-of-3 and shard 2-of-3"), twiceItem.stderr)
        // Another N.
        let mixed = root.appendingPathComponent("mixed")
        try FileManager.default.copyItem(at: sharded.appendingPathComponent("shards"), to: mixed.appendingPathComponent("shards"))
        XCTAssertEqual(try shard(0, of: 2, out: mixed).status, 0)
        let otherN = try run(["merge", mixed.path])
        XCTAssertEqual(otherN.status, 1)
        XCTAssertTrue(otherN.stderr.contains("field shards"), otherN.stderr)
        // A missing shard.
        try FileManager.default.removeItem(at: sharded.appendingPathComponent("shards/2-of-3"))
        let missing = try run(["merge", sharded.path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("items missing: shard 2-of-3 not found"), missing.stderr)
    }

    func testTerminatedShardExitsRetryableAndPublishesNothing() throws {
        let out = try Fixtures.temporaryDirectory("sweep-term")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = try LoupeBinary.locate()
        process.arguments = ["run", Self.slow.path, "--shard", "0/1", "--out", out.path, "-q"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        process.terminate()  // SIGTERM, as a scheduler preempting the task
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 75)
        let shards = out.appendingPathComponent("shards")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: shards.path)) ?? []
        XCTAssertEqual(left, [], "nothing published, no temporary folder left")
    }

    func testDeterministicErrorNamesTheShardAndExitsOne() throws {
        let out = try Fixtures.temporaryDirectory("sweep-fail")
        defer { try? FileManager.default.removeItem(at: out) }
        let failing = try run(["run", Self.slow.path, "--shard", "1/2", "--out", out.path, "-q", "-p", "n=6", "-p", "fail_at=4"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stderr.contains("item 4 is bad") && failing.stderr.contains("shard 1-of-2"), failing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("shards/1-of-2").path))
        // The other shard has no bad item; it publishes, and merging without shard 1 names what is missing.
        XCTAssertEqual(try run(["run", Self.slow.path, "--shard", "0/2", "--out", out.path, "-q", "-p", "n=6", "-p", "fail_at=4"]).status, 0)
        let merge = try run(["merge", out.path])
        XCTAssertEqual(merge.status, 1)
        XCTAssertTrue(merge.stderr.contains("shard 1-of-2 not found"), merge.stderr)
    }

    func testSlurmPrintsAnArrayScript() throws {
        let r = try run(["slurm", Self.notebook.path, "--shards", "16", "-p", "n_prompts=64", "--out", "/shared/out"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("#SBATCH --array=0-15"), r.stdout)
        XCTAssertTrue(r.stdout.contains("--shard \"$SLURM_ARRAY_TASK_ID/16\" --out /shared/out"), r.stdout)
        XCTAssertTrue(r.stdout.contains("-p n_prompts=64"), r.stdout)
        XCTAssertTrue(r.stdout.contains("-eq 75 ]; then scontrol requeue"), r.stdout)
    }

    static func sha256(_ url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return String(text.prefix(64))
    }
}
