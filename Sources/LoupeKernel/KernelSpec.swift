import Foundation
import LoupeFormats

/// The kernelspec Jupyter finds Loupe by: a folder `kernels/loupe/` holding `kernel.json` (how to start
/// the kernel: `loupe kernel -f {connection_file}`) and the logos.
public enum KernelSpec {
    public static let name = "loupe"

    /// kernel.json for the executable at `executable`. Interrupts arrive as SIGINT (interrupt_mode
    /// "signal"); an interrupt_request on the control channel works too.
    public static func json(executable: String) -> String {
        JSONValue.object(JSONObject([
            "argv": .array([.string(executable), "kernel", "-f", "{connection_file}"]),
            "display_name": "Loupe",
            "language": "loupe",
            "interrupt_mode": "signal",
            "metadata": .object(JSONObject(["debugger": false])),
        ])).serialized(.notebook) + "\n"
    }

    /// The kernels folder Jupyter searches: `--user`: $JUPYTER_DATA_DIR or ~/.local/share/jupyter;
    /// `prefix`: PREFIX/share/jupyter (a virtualenv's sys.prefix); else /usr/local/share/jupyter.
    public static func kernelsDirectory(user: Bool, prefix: String?, environment: [String: String]) -> URL {
        if let prefix { return URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter/kernels") }
        if user {
            if let data = environment["JUPYTER_DATA_DIR"], !data.isEmpty {
                return URL(fileURLWithPath: data).appendingPathComponent("kernels")
            }
            let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
            return URL(fileURLWithPath: dataHome).appendingPathComponent("jupyter/kernels")
        }
        return URL(fileURLWithPath: "/usr/local/share/jupyter/kernels")
    }

    /// Writes kernels/loupe/{kernel.json, logo-32x32.png, logo-64x64.png, logo-svg.svg}; returns the folder.
    @discardableResult
    public static func install(into kernels: URL, executable: String) throws -> URL {
        let folder = kernels.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(json(executable: executable).utf8).write(to: folder.appendingPathComponent("kernel.json"))
            try Data(KernelLogo.svg.utf8).write(to: folder.appendingPathComponent("logo-svg.svg"))
            for size in [32, 64] {
                try Data(try KernelLogo.png(size: size)).write(to: folder.appendingPathComponent("logo-\(size)x\(size).png"))
            }
        } catch {
            throw KernelError("cannot write the kernelspec to \(folder.path): \(error.localizedDescription)")
        }
        return folder
    }
}
