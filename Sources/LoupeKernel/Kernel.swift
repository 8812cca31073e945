import Foundation
import LoupeFormats
import LoupeInterpreter
import LoupeLibrary

/// A Jupyter kernel around one Loupe interpreter (state persists across cells, as in the REPL).
///
/// Five sockets, as the messaging spec lays out: shell (ROUTER: requests, answered one at a time on
/// the thread that calls `run`), control (ROUTER, its own thread: interrupt and shutdown reach a busy
/// kernel), iopub (PUB: status, inputs and outputs), stdin (ROUTER: `input()` asks the front-end) and
/// heartbeat (REP, its own thread: echoes). Messages that fail to decode or are of an unknown type are
/// logged and dropped; the kernel keeps serving.
public final class Kernel: @unchecked Sendable {
    /// Completion candidates replacing `word`, the end of `line` (the text before the cursor).
    public typealias Completer = (_ interpreter: Interpreter, _ line: String, _ word: String) -> [String]

    let connection: KernelConnection
    let signer: MessageSigner
    let headers = MessageHeaders()
    let log: @Sendable (String) -> Void
    let completer: Completer
    private let context: ZMQContext
    let shell, control, iopub, stdin, heartbeat: ZMQSocket
    let sink = KernelSink()
    public let interpreter: Interpreter

    /// Numbering of executed cells (`In [n]`), and what they were.
    var executionCount = 0
    var history: [(line: Int, code: String)] = []
    /// The execute_request being run: outputs and input requests are its children.
    var running: KernelMessage?

    private let stateLock = NSLock()
    private var stopping = false
    private var restart = false

    /// Binds every socket of `connection`; `scriptDirectory` is where relative paths in cells resolve.
    public init(connection: KernelConnection, scriptDirectory: URL, completer: @escaping Completer,
                log: @escaping @Sendable (String) -> Void) throws {
        self.connection = connection
        signer = try MessageSigner(key: connection.key, scheme: connection.signatureScheme)
        self.log = log
        self.completer = completer
        context = try ZMQContext()
        shell = try ZMQSocket(context, .router)
        control = try ZMQSocket(context, .router)
        iopub = try ZMQSocket(context, .pub)
        stdin = try ZMQSocket(context, .router)
        heartbeat = try ZMQSocket(context, .rep)
        try shell.bind(connection.endpoint(connection.shellPort))
        try control.bind(connection.endpoint(connection.controlPort))
        try iopub.bind(connection.endpoint(connection.iopubPort))
        try stdin.bind(connection.endpoint(connection.stdinPort))
        try heartbeat.bind(connection.endpoint(connection.hbPort))
        KernelInput.install()
        interpreter = Library.interpreter(sink: sink, scriptDirectory: scriptDirectory)
        sink.kernel = self
    }

    /// Serves until a shutdown request; returns whether the front-end asked for a restart.
    public func run() -> Bool {
        let threads = DispatchGroup()
        spawn(threads) { [self] in serveHeartbeat() }
        spawn(threads) { [self] in serve(control, handler: handleControl) }
        publish("status", .object(JSONObject(["execution_state": "starting"])), parent: nil)
        serve(shell, handler: handleShell)
        threads.wait()
        for socket in [shell, control, iopub, stdin, heartbeat] { socket.close() }
        context.terminate()
        return stateLock.withLock { restart }
    }

    /// Stops the running cell as Ctrl-C does in the REPL (the cell fails with "interrupted", the state
    /// stays). Safe from a signal handler: it only sets flags.
    public func interrupt() { interpreter.interrupt() }

    var isStopping: Bool { stateLock.withLock { stopping } }

    func stop(restart: Bool) {
        stateLock.withLock {
            stopping = true
            self.restart = restart
        }
        interpreter.interrupt()
    }

    private func spawn(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.start()
    }

    /// Reads messages from `socket` until shutdown; each is decoded and handed to `handler` between
    /// busy and idle statuses. Undecodable messages are logged and dropped.
    func serve(_ socket: ZMQSocket, handler: (KernelMessage) -> Void) {
        while !isStopping {
            guard socket.waitReadable(milliseconds: 100) else { continue }
            let frames: [[UInt8]]
            do { frames = try socket.receive() } catch { log("receive failed: \(error)"); continue }
            guard let message = decoded(frames) else { continue }
            publish("status", .object(JSONObject(["execution_state": "busy"])), parent: message)
            handler(message)
            publish("status", .object(JSONObject(["execution_state": "idle"])), parent: message)
        }
    }

    func decoded(_ frames: [[UInt8]]) -> KernelMessage? {
        do { return try signer.decode(frames) } catch {
            log("dropped a message: \(error)")
            return nil
        }
    }

    private func serveHeartbeat() {
        while !isStopping {
            guard heartbeat.waitReadable(milliseconds: 100) else { continue }
            do { try heartbeat.send(try heartbeat.receive()) } catch { log("heartbeat: \(error)") }
        }
    }

    private func handleControl(_ message: KernelMessage) {
        switch message.msgType {
        case "interrupt_request":
            interrupt()
            reply(to: message, on: control, "interrupt_reply", .object(JSONObject(["status": "ok"])))
        case "shutdown_request":
            let restart = message.content["restart"]?.bool ?? false
            reply(to: message, on: control, "shutdown_reply",
                  .object(JSONObject(["status": "ok", "restart": .bool(restart)])))
            stop(restart: restart)
        case "kernel_info_request":
            reply(to: message, on: control, "kernel_info_reply", kernelInfo)
        default:
            log("unknown message type on control: \(message.msgType)")
        }
    }

    // MARK: sending

    func reply(to request: KernelMessage, on socket: ZMQSocket, _ type: String, _ content: JSONValue) {
        send(KernelMessage(identities: request.identities, header: headers.header(type), parentHeader: request.header,
                           content: content), on: socket)
    }

    /// An iopub message; `parent` is the request it belongs to (nil: none, as for "starting").
    func publish(_ type: String, _ content: JSONValue, parent: KernelMessage?) {
        let topic = Array("kernel.\(headers.session).\(type)".utf8)
        send(KernelMessage(identities: [topic], header: headers.header(type),
                           parentHeader: parent?.header ?? .object(JSONObject([:])), content: content), on: iopub)
    }

    func send(_ message: KernelMessage, on socket: ZMQSocket) {
        let frames = signer.encode(message)
        socket.lock.withLock {
            do { try socket.send(frames) } catch { log("send \(message.msgType) failed: \(error)") }
        }
    }

    /// Text for the front-end's stderr stream (progress lines while a cell loads a model).
    public func publishStderr(_ line: String) {
        guard let parent = running else { return }
        publish("stream", .object(JSONObject(["name": "stderr", "text": .string(line + "\n")])), parent: parent)
    }
}
