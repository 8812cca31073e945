import Foundation
import LoupeTokenizers

/// libFuzzer target: tokenizer.json loaded (the reader takes a path: the input is written to a file in
/// /dev/shm first), then a short text encoded and decoded with it.
let fuzzPath = "/dev/shm/loupe-fuzz-tokenizer-\(getpid()).json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let url = URL(fileURLWithPath: fuzzPath)
    guard (try? Data(bytes: data, count: size).write(to: url)) != nil else { return 0 }
    if let tokenizer = try? Tokenizer(tokenizerJSON: url) {
        let ids = tokenizer.encode("Hello world, héllo 123 <|endoftext|>\n  x")
        _ = tokenizer.decode(ids)
    }
    return 0
}
