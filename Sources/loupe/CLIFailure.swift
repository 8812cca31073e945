/// How a command ends unsuccessfully: the message (already printed if empty) and the exit code.
struct CLIFailure: Error {
    var message: String
    var code: Int32

    /// The script or notebook ran and failed (its error is already on screen).
    static let scriptFailed = CLIFailure(message: "", code: 1)

    static func usage(_ message: String) -> CLIFailure { CLIFailure(message: message, code: 2) }
}
