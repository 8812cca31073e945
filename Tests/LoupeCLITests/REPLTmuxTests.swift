import Foundation
import XCTest

/// Drives the real REPL in a detached tmux session, as a person would: types a multi-line block,
/// completes a name with Tab, makes an error, interrupts a long loop with Ctrl-C, exits with Ctrl-D.
final class REPLTmuxTests: XCTestCase {
    private var session = ""
    private var home: URL!

    override func setUpWithError() throws {
        guard Self.tmuxPath != nil else {
            print("REPLTmuxTests skipped: tmux is not installed (apt-get install tmux)")
            throw XCTSkip("tmux is not installed")
        }
        home = try Fixtures.temporaryDirectory("repl-home")
        session = "loupe-repl-test-\(getpid())"
        let binary = try LoupeBinary.locate()
        try FileManager.default.createDirectory(at: home.appendingPathComponent("data"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: home.appendingPathComponent("data/prompts.txt").path, contents: Data())
        let command = "env HOME='\(home.path)' LOUPE_OUT='\(home.path)/out' TERM=xterm '\(binary.path)'"
        try tmux(["new-session", "-d", "-s", session, "-x", "100", "-y", "50", "-c", home.path, command])
        try waitForScreen(containing: ">>>")
    }

    override func tearDownWithError() throws {
        if !session.isEmpty { _ = try? tmux(["kill-session", "-t", session]) }
        if let home { try? FileManager.default.removeItem(at: home) }
    }

    func testTypingCompletionErrorsInterruptAndExit() throws {
        // A multi-line block: continuation prompts until a blank line.
        try type("total = 0")
        try type("for i in range(4):")
        try waitForScreen(containing: "...")
        try type("    total = total + i")
        try type("")
        try type("print(\"total is\", total)")
        try waitForScreen(containing: "total is 6")

        // Tab completion of a global name, then finish the line.
        try waitForPrompt()
        try keys(["tota", "Tab"])
        try waitForScreen(matching: { $0.contains(">>> total") && !$0.hasSuffix(">>> tota") })
        try type(" * 100")
        try waitForScreen(containing: "600")

        // Keyword arguments inside a call, a file path and a hook name inside strings.
        try waitForPrompt()
        try tmux(["send-keys", "-t", session, "-l", "sorted([total, 1], ke"])
        try keys(["Tab"])
        try waitForScreen(containing: "sorted([total, 1], key=")
        try type("lambda v: -v)")
        try waitForScreen(containing: "[6, 1]")
        try waitForPrompt()
        try tmux(["send-keys", "-t", session, "-l", "path = \"data/pro"])
        try keys(["Tab"])
        try waitForScreen(containing: "path = \"data/prompts.txt")
        try type("\"")
        try waitForPrompt()
        try tmux(["send-keys", "-t", session, "-l", "hook = \"blocks.2.attn.hook_pa"])
        try keys(["Tab"])
        try waitForScreen(containing: "hook = \"blocks.2.attn.hook_pattern")
        try type("\"")
        try type("print(path, hook)")
        try waitForScreen(containing: "data/prompts.txt blocks.2.attn.hook_pattern")

        // An error names the input and position, and the REPL carries on.
        try type("1 + undefined_thing")
        try waitForScreen(containing: ":1:5")
        try type("print(\"still here\")")
        try waitForScreen(containing: "still here")

        // Ctrl-C interrupts a long loop; the state is kept.
        try type("while True:")
        try type("    total = total + 1")
        try type("")
        Thread.sleep(forTimeInterval: 0.4)
        try keys(["C-c"])
        try waitForScreen(containing: "interrupted")
        try type("print(\"after\", total > 6)")
        try waitForScreen(containing: "after True")

        // Ctrl-C at the prompt drops the line; Ctrl-D exits and the history was saved.
        try waitForPrompt()
        try keys(["abandoned", "C-c"])
        try type("print(\"fresh\")")
        try waitForScreen(containing: "fresh")
        let screen = try capture()
        XCTAssertFalse(screen.contains("abandonedprint"), screen)
        try keys(["C-d"])
        try waitFor("the REPL to exit") { (try? self.tmux(["has-session", "-t", self.session])) == nil }
        session = ""
        let history = try String(contentsOf: home.appendingPathComponent(".loupe_history"), encoding: .utf8)
        XCTAssertTrue(history.contains("fresh"), history)
        XCTAssertFalse(history.contains("abandoned"), history)
    }

    /// A Meta checkpoint folder with the real tokenizer: tokens, a chat prompt, a cached run; a truncated
    /// .pth is an error naming the file and the session carries on.
    func testMetaCheckpointSession() throws {
        let meta = try MetaFolderTests.metaFolder(self)
        let bad = home.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: meta.appendingPathComponent("params.json"), to: bad.appendingPathComponent("params.json"))
        let pth = try Data(contentsOf: meta.appendingPathComponent("consolidated.00.pth"))
        try pth.prefix(100_000).write(to: bad.appendingPathComponent("consolidated.00.pth"))
        func unwrapped(_ text: String) -> (String) -> Bool { { $0.replacingOccurrences(of: "\n", with: "").contains(text) } }

        try type("m = load(\"\(meta.path)\")")
        try type("print(m.to_str_tokens(\"Hello\"))")
        try waitForScreen(containing: "['<|begin_of_text|>', 'Hello']")
        try type("ids = m.chat_tokens([(\"system\", \"Be brief\"), (\"user\", \"Hi!\")])")
        try type("print(m.to_string(ids[0, -4:]), ids.shape)")
        try waitForScreen(containing: "<|start_header_id|>assistant<|end_header_id|>")
        try type("logits, cache = m.run_with_cache(ids)")
        try type("print(logits.shape, cache[\"pattern\", 1].shape)")
        try waitForScreen(matching: unwrapped("(1, 19, 128256) (1, 2, 19, 19)"), what: "the cached run's shapes")
        try type("x = load(\"bad\")")
        try waitForScreen(matching: unwrapped("bad/consolidated.00.pth: at byte"), what: "the truncated file's error")
        try type("print(\"alive\", m.cfg[\"n_layers\"])")
        try waitForScreen(containing: "alive 2")
    }

    // MARK: tmux

    static let tmuxPath: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs tmux with posix_spawn and waitpid. Not Foundation's `Process`: on Linux it watches the
    /// child through a socket the child inherits, and the tmux server that `new-session` forks keeps
    /// that socket (and any pipe) open forever, so `waitUntilExit` would never return. Output goes
    /// through a file for the same reason.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-tmux-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let executable = Self.tmuxPath ?? "/usr/bin/tmux"
        let stdoutPath = arguments.first == "capture-pane" ? outputFile.path : "/dev/null"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TmuxError(message: "cannot start tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            throw TmuxError(message: "tmux \(arguments.joined(separator: " ")) exited \(exitCode)")
        }
        guard stdoutPath != "/dev/null" else { return "" }
        return try String(contentsOf: outputFile, encoding: .utf8)
    }

    struct TmuxError: Error { var message: String }

    /// Sends key names (`Tab`, `C-c`) or literal text.
    private func keys(_ keys: [String]) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    /// Types a line literally and presses Enter.
    private func type(_ line: String) throws {
        if !line.isEmpty { try tmux(["send-keys", "-t", session, "-l", line]) }
        try tmux(["send-keys", "-t", session, "Enter"])
    }

    private func capture() throws -> String {
        try tmux(["capture-pane", "-p", "-t", session, "-S", "-200"])
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the REPL shows an empty primary prompt as its last line. Text typed before the prompt
    /// is drawn still reaches the REPL, but libedit redraws it around the late prompt, so a test that
    /// then reads the screen must wait (a loaded machine makes the REPL slower than tmux).
    private func waitForPrompt() throws {
        try waitForScreen(matching: { $0.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) == ">>>" } ?? false },
                          what: "an empty `>>>` prompt")
    }

    private func waitForScreen(containing text: String) throws {
        try waitForScreen(matching: { $0.contains(text) }, what: "\"\(text)\" on screen")
    }

    private func waitForScreen(matching predicate: @escaping (String) -> Bool, what: String = "the screen") throws {
        var last = ""
        do {
            try waitFor(what) {
                last = (try? self.capture()) ?? ""
                return predicate(last)
            }
        } catch {
            let screen = (try? capture()) ?? "(tmux session gone)"
            XCTFail("timed out waiting for \(what); screen:\n\(screen.isEmpty ? last : screen)")
            throw error
        }
    }

    private func waitFor(_ what: String, timeout: TimeInterval = 10, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TmuxError(message: "timed out waiting for \(what)")
    }
}
