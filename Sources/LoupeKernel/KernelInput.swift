import Foundation
import LoupeFormats
import LoupeInterpreter
import LoupeNotebook

/// Where the kernel's interpreter sends its outputs: to iopub as the running cell's children, or, while
/// the kernel asks `help()` for an inspection, into `captured`.
final class KernelSink: OutputSink, @unchecked Sendable {
    weak var kernel: Kernel?
    /// A silent execute_request shows nothing.
    var silent = false
    var captured: [CellOutput]?

    func emit(_ output: CellOutput) {
        if captured != nil { captured?.append(output); return }
        guard !silent else { return }
        kernel?.show(output)
    }
}

/// `input(prompt="")`: asks the front-end over the stdin channel, as Python's input() does in Jupyter.
enum KernelInput {
    private static let once: Void = {
        Builtins.register("input(prompt: str = \"\", *, password: bool = False)",
                          doc: "Asks the notebook's front-end for a line of text (in the Jupyter kernel) and returns it. password=True hides what is typed.",
                          example: "name = input(\"Your name: \")") { interp, args in
            guard let sink = interp.sink as? KernelSink, let kernel = sink.kernel else {
                throw LoupeError("input() needs a front-end to ask: it works in the Jupyter kernel (`loupe kernel`)")
            }
            return .string(try kernel.readInput(prompt: try args.string("prompt"), password: try args.bool("password")))
        }
    }()

    /// Declares `input` before the kernel's interpreter is made (interpreters copy the builtin table).
    static func install() { _ = once }
}

extension Kernel {
    /// Sends an input_request for the running cell and waits for the input_reply. Ctrl-C (an interrupt)
    /// or a shutdown while waiting fails the cell as "interrupted".
    func readInput(prompt: String, password: Bool) throws -> String {
        guard let request = running else { throw LoupeError("input(): no cell is running") }
        guard request.content["allow_stdin"]?.bool ?? false else {
            throw LoupeError("input(): this front-end does not accept input (allow_stdin is false)")
        }
        stdin.lock.lock()
        defer { stdin.lock.unlock() }
        while stdin.waitReadable(milliseconds: 0) { _ = try? stdin.receive() }  // stale replies
        let ask = KernelMessage(identities: request.identities, header: headers.header("input_request"),
                                parentHeader: request.header,
                                content: .object(JSONObject(["prompt": .string(prompt), "password": .bool(password)])))
        try stdin.send(signer.encode(ask))
        while true {
            if interpreter.interruptRequested || isStopping { throw LoupeError.interrupted }
            guard stdin.waitReadable(milliseconds: 100) else { continue }
            guard let reply = decoded(try stdin.receive()) else { continue }
            guard reply.msgType == "input_reply" else {
                log("unexpected \(reply.msgType) on stdin; ignored")
                continue
            }
            return reply.content["value"]?.string ?? ""
        }
    }
}
