import LoupeNotebook
import LoupeInterpreter
import Foundation

/// Python's `time` module, for timing work in scripts and benchmarks.
enum TimeBindings {
    static func install() {
        func fn(_ header: String, _ doc: String, _ ex: String, _ body: @escaping DeclaredBody) -> (String, Value) {
            let f = Builtins.function("time.\(header)", doc: doc, example: ex, body)
            return (f.name, .builtin(f))
        }
        let members: [(String, Value)] = [
            fn("perf_counter()", "Seconds from a monotonic clock, for measuring intervals.",
               "t0 = time.perf_counter()\nmodel(\"Hi\")\nprint(time.perf_counter() - t0)") { _, _ in
                .float(Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
            },
            fn("time()", "Seconds since the Unix epoch.", "time.time()") { _, _ in
                .float(Date().timeIntervalSince1970)
            },
            fn("strftime(format: str)", "The local time formatted as C's strftime does (\"%b\" month abbreviation, \"%d\" day, \"%Y\" year…).",
               "time.strftime(\"%b %d %Y\")") { _, args in
                var now = time(nil), parts = tm()
                localtime_r(&now, &parts)
                var buffer = [CChar](repeating: 0, count: 256)
                let n = strftime(&buffer, buffer.count, try args.string("format"), &parts)
                return .string(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            },
            fn("sleep(seconds)", "Pauses for `seconds`.", "time.sleep(0.1)") { _, args in
                Thread.sleep(forTimeInterval: max(0, try args.double("seconds")))
                return .none
            },
            fn("peak_rss_mb()", "This process's peak resident memory in MB (VmHWM; Loupe's own, not Python's).",
               "time.peak_rss_mb()") { _, _ in
                let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
                for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                    let kb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }.first ?? 0   // "VmHWM:\t13936640 kB"
                    return .float(kb / 1024)
                }
                return .none
            },
        ]
        Builtins.registerValue(name: "time", doc: "Python's time module: perf_counter, time, strftime, sleep (and peak_rss_mb).",
                               .host(ModuleObject(name: "time", doc: "Clocks and timing.", members: Dictionary(uniqueKeysWithValues: members))))
    }
}
