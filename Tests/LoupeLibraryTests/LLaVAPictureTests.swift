import XCTest
import Foundation
@testable import LoupeInterpreter
@testable import LoupeLibrary
import LoupeNotebook
import LoupeTensor

/// Pictures into a LLaVA model: `model.preprocess(img)` and `image=img` use the folder's
/// preprocessor_config.json, checked against transformers (tools/gen_llava_fixtures.py --photos:
/// CLIPImageProcessor's pixel_values of real photos, the logits and greedy tokens of the tiny LLaVA).
final class LLaVAPictureTests: XCTestCase {
    static let photos = modelFixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/photos")
    static let names = ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg"]

    /// The reference: meta (greedy tokens) and float32 tensors by name.
    struct Reference {
        let meta: [String: Any]
        let tensors: [String: (offset: Int, shape: [Int])]
        let data: [Float]

        init() throws {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: modelFixtures.appendingPathComponent("llava-tiny-photos.json"))) as? [String: Any])
            meta = try XCTUnwrap(json["meta"] as? [String: Any])
            var index: [String: (Int, [Int])] = [:]
            for (key, value) in try XCTUnwrap(json["tensors"] as? [String: [String: Any]]) {
                index[key] = ((value["offset"] as? NSNumber)?.intValue ?? -1, ((value["shape"] as? [NSNumber]) ?? []).map(\.intValue))
            }
            tensors = index
            let bytes = try Data(contentsOf: modelFixtures.appendingPathComponent("llava-tiny-photos.bin"))
            data = bytes.withUnsafeBytes { raw in
                (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }

        func values(_ key: String) throws -> [Float] {
            let (offset, shape) = try XCTUnwrap(tensors[key], key)
            return Array(data[offset..<(offset + shape.reduce(1, *))])
        }

        func ints(_ key: String) -> [Int] { ((meta[key] as? [NSNumber]) ?? []).map(\.intValue) }
    }

    private func photo(_ name: String) throws -> String {
        let path = Self.photos.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("\(path) is missing: run scripts/fetch-photos.sh") }
            throw XCTSkip("the photos are not fetched (scripts/fetch-photos.sh)")
        }
        return path
    }

    private func floats(_ interp: Interpreter, _ expr: String) throws -> [Float] {
        guard case .tensor(let t)? = try interp.execute(expr, file: "expr.loupe") else {
            XCTFail("\(expr) is not a tensor")
            return []
        }
        return t.tensor.contiguous().toArray()
    }

    private func maxDelta(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    func testPicturesMatchTransformers() throws {
        let reference = try Reference()
        // raw: Hugging Face's logits (TransformerLens's processing centres the unembedding)
        let (interp, _) = try runWithFixtures("model = load(FIXTURES + \"/llava-tiny\")\nraw = load(FIXTURES + \"/llava-tiny\", processing=False)")
        var report: [String] = []
        for name in Self.names {
            interp.define("path", .string(try photo(name)))
            _ = try interp.execute("img = read_image(path)", file: "t.loupe")
            let pixels = try floats(interp, "model.preprocess(img)")
            let pixelDelta = maxDelta(pixels, try reference.values("\(name)/pixel_values"))
            XCTAssertEqual(pixelDelta, 0, "\(name): pixel_values differ from CLIPImageProcessor's")
            var line = "\(name): pixel_values max|Δ| \(pixelDelta)"
            for choice in ["cat", "dog"] {
                interp.define("prompt", .string("USER: <image>\nWhat colour is the \(choice)? ASSISTANT:"))
                let logits = try floats(interp, "raw(prompt, image=img)[0, -1]")
                let logitDelta = maxDelta(logits, try reference.values("\(name)/\(choice)_logits"))
                XCTAssertLessThan(logitDelta, 1e-4, "\(name) \(choice): last-position logits")
                XCTAssertEqual(try floats(interp, "model.to_tokens(prompt, image=img)[0]").map { Int($0) },
                               reference.ints("\(name)/\(choice)_input_ids"), "\(name) \(choice): prompt tokens")
                let tokens = try floats(interp, "model.generate(prompt, image=img, max_new_tokens=4, do_sample=False, stop_at_eos=False, return_type=\"tokens\")[0, -4:]")
                XCTAssertEqual(tokens.map { Int($0) }, reference.ints("\(name)/\(choice)_greedy"), "\(name) \(choice): greedy tokens")
                line += ", \(choice) logits max|Δ| \(logitDelta)"
            }
            report.append(line)
        }
        print("tiny LLaVA on photos vs transformers:\n  " + report.joined(separator: "\n  "))
    }

    func testPicturesAndPixelValuesAgree() throws {
        let (interp, _) = try runWithFixtures("model = load(FIXTURES + \"/llava-tiny\")")
        interp.define("a", .string(try photo("chelsea.png")))
        interp.define("b", .string(try photo("coffee.png")))
        _ = try interp.execute("""
            cat, cup = read_image(a), read_image(b)
            both = model.preprocess([cat, cup])
            prompt = "USER: <image> and <image>\\nSame animal? ASSISTANT:"
            """, file: "t.loupe")
        XCTAssertEqual(try floats(interp, "tensor(list(both.shape))"), [2, 3, 42, 42])
        XCTAssertEqual(try floats(interp, "both[1] - model.preprocess(cup)").map(abs).max(), 0)
        XCTAssertEqual(try floats(interp, "model(prompt, image=[cat, cup]) - model(prompt, image=both)").map(abs).max(), 0)
        XCTAssertEqual(try floats(interp, "model.input_embeddings(prompt, image=(cat, cup)) - model.input_embeddings(prompt, image=both)").map(abs).max(), 0)
        guard case .string(let filename)? = try interp.execute("read_images(a)[0].filename", file: "t.loupe") else { return XCTFail() }
        XCTAssertEqual(filename, try photo("chelsea.png"))
    }

    func testPictureErrors() throws {
        let (interp, _) = try runWithFixtures("")
        interp.define("path", .string(try photo("chelsea.png")))
        // A LLaVA folder without a processor config: the picture cannot be preprocessed.
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("llava-no-processor-\(getpid())")
        try? FileManager.default.removeItem(at: bare)
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bare) }
        for file in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.createSymbolicLink(at: bare.appendingPathComponent(file),
                                                       withDestinationURL: modelFixtures.appendingPathComponent("llava-tiny/\(file)"))
        }
        interp.define("bare", .string(bare.path))
        interp.define("gpt2", .string(modelFixtures.appendingPathComponent("gpt2-tiny").path))
        interp.define("llava", .string(modelFixtures.appendingPathComponent("llava-tiny").path))
        let cases: [(String, String)] = [
            ("load(bare)(\"USER: <image> hi\", image=read_image(path))", "has no preprocessor_config.json or processor_config.json"),
            ("load(bare).preprocess(read_image(path))", "so a picture cannot become this model's pixel_values"),
            ("load(gpt2).preprocess(read_image(path))", "gpt2-tiny has no vision tower"),
            ("load(llava)(\"USER: <image> hi\", image=path)", "image= takes a picture or pixel_values, not the string"),
            ("load(llava).preprocess([read_image(path), 3])", "expected an Image or a list of Images, not list"),
            ("read_images(\"no-such-folder-of-photos\")", "read_images: no folder"),
        ]
        for (code, fragment) in cases {
            XCTAssertThrowsError(try interp.execute(code, file: "t.loupe"), code) { e in
                XCTAssertTrue("\(e)".contains(fragment), "\(code): \(e)")
            }
        }
        // pixel_values of another processor (336 pixels) are named by the tower's shape.
        _ = try interp.execute("big = preprocess(read_image(path), config=llava + \"/../../image/llava-1.5\")", file: "t.loupe")
        XCTAssertThrowsError(try interp.execute("load(llava)(\"USER: <image> hi\", image=big)", file: "t.loupe")) { e in
            XCTAssertTrue("\(e)".contains("takes [3, 42, 42]"), "\(e)")
        }
    }

    func testTerminalShowsAnImageAsItsRepr() throws {
        let (interp, _) = try runWithFixtures("")
        let value = try XCTUnwrap(try interp.execute("read_image(\"\(try photo("chelsea.png"))\")", file: "t.loupe"))
        XCTAssertEqual(Library.terminalText(value), "<image 451×300 RGB>")
        XCTAssertNil(Library.terminalText(.int(3)))
        guard case .figure? = interp.display(value) else { return XCTFail("a report still shows the picture") }
    }
}
