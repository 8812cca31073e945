import Foundation
import XCTest

/// `loupe kernel` driven by real Jupyter clients: jupyter_client (Tests/KernelClient/check_kernel.py:
/// execution, iopub and signatures, completion, inspection, errors, stdin, interrupts, restart, bad
/// messages) and papermill (check_papermill.py: a seed notebook with parameters, outputs compared with
/// `loupe run`'s). The clients live in a venv under .build, made on first use with pip; the tests skip
/// only when PyPI cannot be reached.
final class KernelClientTests: XCTestCase {
    static let clients = Fixtures.testsDirectory.appendingPathComponent("KernelClient")
    static let venv = Fixtures.packageRoot.appendingPathComponent(".build/kernel-venv")
    static let packages = ["jupyter_client", "nbclient", "papermill"]

    /// A Jupyter data dir holding the kernelspec `loupe kernel install --user` wrote, so the clients
    /// start this build's kernel whatever else is installed.
    private static func jupyterEnvironment() throws -> [String: String] {
        let data = try Fixtures.temporaryDirectory("jupyter")
        var environment = ProcessInfo.processInfo.environment
        environment["JUPYTER_DATA_DIR"] = data.path
        environment["JUPYTER_RUNTIME_DIR"] = data.appendingPathComponent("runtime").path
        environment["JUPYTER_PLATFORM_DIRS"] = "1"
        environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        let install = try Self.run(try LoupeBinary.locate().path, ["kernel", "install", "--user"], environment: environment)
        XCTAssertEqual(install.status, 0, install.output)
        XCTAssertTrue(install.output.contains(data.appendingPathComponent("kernels/loupe").path), install.output)
        return environment
    }

    /// The venv's python, after installing the clients if they are missing.
    private static func python() throws -> String {
        let python = venv.appendingPathComponent("bin/python").path
        let imports = "import jupyter_client, nbclient, papermill, zmq"
        if FileManager.default.isExecutableFile(atPath: python),
           (try? run(python, ["-c", imports]).status) == 0 { return python }
        let made = try run("/usr/bin/env", ["python3", "-m", "venv", venv.path])
        guard made.status == 0 else { throw Failure("python3 -m venv failed:\n\(made.output)") }
        let pip = try run(python, ["-m", "pip", "install", "-q"] + packages)
        if pip.status != 0 {
            let offline = ["ConnectionError", "NewConnectionError", "Temporary failure in name resolution",
                           "Network is unreachable", "No matching distribution found", "Could not fetch URL"]
            if offline.contains(where: pip.output.contains) {
                throw XCTSkip("PyPI cannot be reached to install \(packages.joined(separator: ", ")):\n\(pip.output)")
            }
            throw Failure("pip install \(packages.joined(separator: " ")) failed:\n\(pip.output)")
        }
        return python
    }

    func testJupyterClientDrivesTheKernel() throws {
        let python = try Self.python()
        let environment = try Self.jupyterEnvironment()
        let log = try Fixtures.temporaryDirectory("kernel-log").appendingPathComponent("kernel.log").path
        let result = try Self.run(python, [Self.clients.appendingPathComponent("check_kernel.py").path, log],
                                  environment: environment)
        print(result.output)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("all kernel checks passed"), result.output)
    }

    func testPapermillRunsASeedNotebookLikeLoupeRun() throws {
        let python = try Self.python()
        let environment = try Self.jupyterEnvironment()
        let work = try Fixtures.temporaryDirectory("papermill")
        let notebook = Fixtures.packageRoot.appendingPathComponent("notebooks/attention_breakdown.loupe").path
        let result = try Self.run(python, [Self.clients.appendingPathComponent("check_papermill.py").path,
                                           try LoupeBinary.locate().path, notebook, work.path,
                                           "txt=\"Be who you are\""], environment: environment)
        print(result.output)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("outputs identical to loupe run's"), result.output)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a program to completion; stdout and stderr together, through a file (no pipe to fill).
    static func run(_ executable: String, _ arguments: [String],
                    environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-kernel-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: capture.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: capture) }
        let handle = try FileHandle(forWritingTo: capture)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: capture, encoding: .utf8)) ?? "")
    }
}
