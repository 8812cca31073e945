import Foundation
import LoupeFormats
import LoupeInterpreter
import LoupeNotebook
import LoupeTensor

/// The shell channel's requests: kernel_info, execute, complete, inspect, is_complete, history,
/// comm_info and shutdown.
extension Kernel {
    func handleShell(_ message: KernelMessage) {
        switch message.msgType {
        case "kernel_info_request": reply(to: message, on: shell, "kernel_info_reply", kernelInfo)
        case "execute_request": execute(message)
        case "complete_request": reply(to: message, on: shell, "complete_reply", complete(message.content))
        case "inspect_request": reply(to: message, on: shell, "inspect_reply", inspect(message.content))
        case "is_complete_request": reply(to: message, on: shell, "is_complete_reply", isComplete(message.content))
        case "history_request": reply(to: message, on: shell, "history_reply", historyReply(message.content))
        case "comm_info_request":
            reply(to: message, on: shell, "comm_info_reply",
                  .object(JSONObject(["status": "ok", "comms": .object(JSONObject([:]))])))
        case "shutdown_request":
            let restart = message.content["restart"]?.bool ?? false
            reply(to: message, on: shell, "shutdown_reply", .object(JSONObject(["status": "ok", "restart": .bool(restart)])))
            stop(restart: restart)
        case "comm_open", "comm_msg", "comm_close":
            log("\(message.msgType): Loupe has no comm targets; ignored")
        default:
            log("unknown message type on shell: \(message.msgType)")
        }
    }

    var kernelInfo: JSONValue {
        .object(JSONObject([
            "status": "ok",
            "protocol_version": "5.3",
            "implementation": "loupe",
            "implementation_version": .string(LoupeVersion.string),
            "language_info": .object(JSONObject([
                "name": "loupe",
                "version": .string(LoupeVersion.string),
                "mimetype": "text/x-loupe",
                "file_extension": ".loupe",
                "pygments_lexer": "python",
                "codemirror_mode": "python",
                "nbconvert_exporter": "script",
            ])),
            "banner": .string("Loupe \(LoupeVersion.string): look inside transformer language models. help() lists everything."),
            "help_links": [],
            "debugger": false,
        ]))
    }

    // MARK: execute

    /// Runs a cell: execute_input, its outputs as they come, an execute_result for a final value, an
    /// error with Loupe's located message; then the reply. After an error, requests already queued are
    /// answered "aborted" (unless stop_on_error is false), as ipykernel does.
    func execute(_ request: KernelMessage) {
        let code = request.content["code"]?.string ?? ""
        let silent = request.content["silent"]?.bool ?? false
        let storeHistory = (request.content["store_history"]?.bool ?? true) && !silent
        let countsAsCell = storeHistory && !code.allSatisfy(\.isWhitespace)
        if countsAsCell {
            executionCount += 1
            history.append((executionCount, code))
        }
        let count = executionCount
        if !silent {
            publish("execute_input", .object(JSONObject(["code": .string(code), "execution_count": .int(count)])),
                    parent: request)
        }
        running = request
        sink.silent = silent
        defer {
            running = nil
            sink.silent = false
        }
        var failure: JSONValue?
        do {
            if !code.allSatisfy(\.isWhitespace),
               let value = try interpreter.execute(code, file: "In[\(count)]"),
               !silent, let shown = interpreter.display(value) {
                let (type, content) = KernelOutput.message(shown, executionCount: count, result: true)
                publish(type, content, parent: request)
            }
        } catch let error as LoupeError {
            failure = KernelOutput.error(message: error.message, detail: error.rendered)
        } catch {
            failure = KernelOutput.error(message: "\(error)", detail: "\(error)")
        }
        guard let failure else {
            reply(to: request, on: shell, "execute_reply", .object(JSONObject([
                "status": "ok", "execution_count": .int(count),
                "user_expressions": .object(JSONObject([:])), "payload": [],
            ])))
            return
        }
        publish("error", failure, parent: request)
        // Taken before the reply, so nothing the client sends after seeing it is aborted.
        let queued = request.content["stop_on_error"]?.bool ?? true ? waitingRequests() : []
        var content = failure.object?.entries ?? []
        content.insert(("status", "error"), at: 0)
        content.append(("execution_count", .int(count)))
        reply(to: request, on: shell, "execute_reply", .object(JSONObject(uniquing: content)))
        abort(queued)
    }

    /// The requests already waiting on the shell socket.
    private func waitingRequests() -> [KernelMessage] {
        var waiting: [KernelMessage] = []
        while shell.waitReadable(milliseconds: 0) {
            guard let frames = try? shell.receive(), let message = decoded(frames) else { continue }
            waiting.append(message)
        }
        return waiting
    }

    /// Answers each execute_request among `requests` with status "aborted"; serves the others as usual.
    private func abort(_ requests: [KernelMessage]) {
        for message in requests {
            publish("status", .object(JSONObject(["execution_state": "busy"])), parent: message)
            if message.msgType == "execute_request" {
                reply(to: message, on: shell, "execute_reply",
                      .object(JSONObject(["status": "aborted", "execution_count": .int(executionCount)])))
            } else {
                handleShell(message)
            }
            publish("status", .object(JSONObject(["execution_state": "idle"])), parent: message)
        }
    }

    /// Called on the evaluation thread for everything the running cell shows.
    func show(_ output: CellOutput) {
        guard let request = running else { return }
        let (type, content) = KernelOutput.message(output, executionCount: executionCount)
        publish(type, content, parent: request)
    }

    // MARK: history

    /// tail (the last n cells), range (cells start..<stop of this session) and search (a glob over the
    /// source, newest first): entries are [session, line, source].
    func historyReply(_ content: JSONValue) -> JSONValue {
        let session = 1
        var entries = history
        switch content["hist_access_type"]?.string ?? "tail" {
        case "range":
            let start = content["start"]?.int ?? 0
            let stop = content["stop"]?.int ?? Int.max
            entries = entries.filter { $0.line >= start && $0.line < stop }
        case "search":
            let pattern = content["pattern"]?.string ?? "*"
            entries = entries.filter { fnmatch(pattern, $0.code, 0) == 0 }
            if content["unique"]?.bool ?? false {
                var seen: Set<String> = []
                entries = entries.reversed().filter { seen.insert($0.code).inserted }.reversed()
            }
            if let n = content["n"]?.int { entries = Array(entries.suffix(max(n, 0))) }
        default:
            entries = Array(entries.suffix(max(content["n"]?.int ?? 10, 0)))
        }
        return .object(JSONObject([
            "status": "ok",
            "history": .array(entries.map { [.int(session), .int($0.line), .string($0.code)] }),
        ]))
    }
}
