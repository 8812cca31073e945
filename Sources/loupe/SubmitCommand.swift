import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LoupeFormats

/// `loupe submit --ray http://HEAD:8265 NOTEBOOK --shards N -p … --out OUT`: writes the Ray driver to
/// OUT/.loupe/ray_driver.py and posts it as a job through Ray's Jobs REST API (`POST /api/jobs/`), then
/// polls `GET /api/jobs/ID` with a progress line until the job ends, and prints its log.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Run a notebook's sweep on a Ray cluster (one task per shard, then loupe merge) through Ray's Jobs API.",
        discussion: """
        Every node must see this loupe, the notebook, the model and OUT at the same paths (shared storage). The Jobs \
        API runs any command it is sent: keep the dashboard port (8265) on a trusted network.
        """)

    @Option(name: .long, help: "The Ray dashboard address (Jobs API), e.g. http://HEAD:8265.")
    var ray: String

    @ArgumentParser.Argument(help: "The notebook.")
    var file: String

    @Option(name: .long, help: "How many shards (Ray tasks). Aim for shards of a minute or more.")
    var shards: Int

    @Option(name: .customShort("p"), parsing: .singleValue, help: ArgumentHelp("A notebook parameter, as for loupe run.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(name: .long, help: "Output folder on storage every node shares.")
    var out: String

    @Option(name: .long, help: "CPUs per shard task (num_cpus, and the BLAS threads).")
    var cpus = 1

    @Option(name: .long, help: "Memory per shard task in bytes (Ray's `memory`: the model's size plus activations); 0: not reserved.")
    var memory = 0

    @Flag(name: .long, help: "Submit and return without waiting for the job.")
    var noWait = false

    func run() throws {
        guard shards >= 1 else { throw CLIFailure.usage("--shards must be at least 1") }
        let notebook = URL(fileURLWithPath: file).standardizedFileURL.path
        let outURL = URL(fileURLWithPath: out).standardizedFileURL
        let driver = outURL.appendingPathComponent(".loupe/ray_driver.py")
        do {
            try FileManager.default.createDirectory(at: driver.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(RayDriver.source.utf8).write(to: driver, options: .atomic)
        } catch {
            throw CLIFailure(message: "cannot write \(driver.path): \(error.localizedDescription)", code: 75)
        }
        var command = ["python", driver.path, "--loupe", SweepPaths.executable, "--notebook", notebook,
                       "--out", outURL.path, "--shards", String(shards), "--cpus", String(cpus), "--memory", String(memory)]
        for p in parameters { command += ["--param", p] }
        let entrypoint = command.map(SweepPaths.shellQuoted).joined(separator: " ")
        let api = RayJobsAPI(base: ray.hasSuffix("/") ? String(ray.dropLast()) : ray)
        let id = try api.submit(entrypoint: entrypoint)
        Console.error("submitted \(id) to \(ray): \(shards) shards of \(URL(fileURLWithPath: file).lastPathComponent)")
        if noWait { print(id); return }
        var last = ""
        var status = "PENDING"
        while !["SUCCEEDED", "FAILED", "STOPPED"].contains(status) {
            Thread.sleep(forTimeInterval: 1)
            status = try api.status(id)
            let logs = (try? api.logs(id)) ?? ""
            if let line = logs.split(separator: "\n").last(where: { $0.hasPrefix("progress:") }).map(String.init), line != last {
                Console.error("[\(status.lowercased())] " + line)
                last = line
            }
        }
        print(try api.logs(id), terminator: "")
        Console.error("job \(id): \(status)")
        if status != "SUCCEEDED" { throw CLIFailure(message: "", code: 1) }
    }
}

/// The three calls of Ray's Jobs REST API that `loupe submit` makes.
struct RayJobsAPI {
    var base: String

    func submit(entrypoint: String) throws -> String {
        let body = JSONValue.object(JSONObject(uniquing: [("entrypoint", .string(entrypoint))])).serialized(.sortedCompact)
        let reply = try request("POST", "/api/jobs/", body: Data(body.utf8))
        guard case .string(let id)? = reply["submission_id"] ?? reply["job_id"] else {
            throw CLIFailure(message: "\(base): the Jobs API answered without a submission id", code: 75)
        }
        return id
    }

    func status(_ id: String) throws -> String {
        guard case .string(let s)? = try request("GET", "/api/jobs/\(id)")["status"] else {
            throw CLIFailure(message: "\(base): no status for job \(id)", code: 75)
        }
        return s
    }

    func logs(_ id: String) throws -> String {
        guard case .string(let s)? = try request("GET", "/api/jobs/\(id)/logs")["logs"] else { return "" }
        return s
    }

    private func request(_ method: String, _ path: String, body: Data? = nil) throws -> JSONObject {
        guard let url = URL(string: base + path) else { throw CLIFailure.usage("--ray \(base): not a URL") }
        var req = URLRequest(url: url, timeoutInterval: 30)
        req.httpMethod = method
        if let body { req.httpBody = body; req.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?, Error?)
        URLSession.shared.dataTask(with: req) { d, r, e in result = (d, r, e); done.signal() }.resume()
        done.wait()
        if let error = result.2 {
            throw CLIFailure(message: "\(method) \(url): \(error.localizedDescription)", code: 75)
        }
        let code = (result.1 as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: result.0 ?? Data(), as: UTF8.self)
        guard (200..<300).contains(code) else {
            throw CLIFailure(message: "\(method) \(url): HTTP \(code): \(text.prefix(500))", code: code >= 500 ? 75 : 1)
        }
        guard case .object(let object) = try JSONValue.parse(text) else {
            throw CLIFailure(message: "\(method) \(url): not a JSON object: \(text.prefix(200))", code: 1)
        }
        return object
    }
}
