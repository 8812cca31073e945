import Foundation

/// Ctrl-C. While code runs, SIGINT asks the interpreter to stop (it throws an "interrupted" error at
/// its next check and keeps its state); a second Ctrl-C before it stops quits the process. At the
/// REPL prompt, SIGINT only sets a flag so the line editor's read returns and the line is dropped.
enum Interrupts {
    nonisolated(unsafe) private static var onInterrupt: (() -> Void)?
    nonisolated(unsafe) private static var pending = 0
    nonisolated(unsafe) static var atPrompt = false

    /// Runs `body` with Ctrl-C wired to `interrupt`.
    static func whileRunning<T>(_ interrupt: @escaping () -> Void, _ body: () throws -> T) rethrows -> T {
        onInterrupt = interrupt
        pending = 0
        install()
        defer { onInterrupt = nil }
        return try body()
    }

    /// Takes the flag a Ctrl-C at the prompt set.
    static func takePromptInterrupt() -> Bool {
        defer { atPrompt = false }
        return atPrompt
    }

    /// SIGINT without SA_RESTART, so a blocked read() returns EINTR instead of resuming.
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            if let interrupt = Interrupts.onInterrupt {
                Interrupts.pending += 1
                if Interrupts.pending > 1 {
                    let message = "\nloupe: interrupted twice, quitting\n"
                    _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
                    _exit(130)
                }
                interrupt()
            } else {
                Interrupts.atPrompt = true
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }
}
