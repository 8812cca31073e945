import Foundation
import XCTest
import LoupeModels
import LoupeTensor
@testable import LoupeInterpreter
@testable import LoupeLibrary

/// attention_maps and model.chat_tokens on the Llama 3.1-style chat fixture against
/// tools/gen_chat_fixtures.py, which follows llama-attn-maps' generate_with_logit_lens with transformers.
final class AttentionMapsTests: XCTestCase {
    static let chat = modelFixtures.deletingLastPathComponent().appendingPathComponent("chat")

    func run(_ code: String) throws -> Interpreter {
        let (interp, _) = try runWithFixtures("""
        CHAT = "\(Self.chat.path)"
        model = load(CHAT + "/llama3-chat-tiny")
        ref = read(CHAT + "/attention_maps.json")
        system = "Cutting Knowledge Date: December 2023\\nToday Date: " + ref["date"] + "\\n\\nYou are a helpful assistant"
        prompt = model.chat_tokens([("system", system), ("user", ref["user"])])
        \(code)
        """)
        return interp
    }

    func testMatchesTheViewerComputedWithTransformers() throws {
        let interp = try run("""
        maps = attention_maps(model, prompt, max_gen_len=ref["max_gen_len"], temperature=0)
        means = attention_maps(model, prompt, max_gen_len=ref["max_gen_len"], temperature=0, heads="mean")
        d_max = [(maps.attention(i) - tensor(m["attention_max"])).abs().max().item() for i, m in enumerate(ref["maps"])]
        d_mean = [(means.attention(i) - tensor(m["attention_mean"])).abs().max().item() for i, m in enumerate(ref["maps"])]
        labels = [maps.label_ids(i) == m["labels"] for i, m in enumerate(ref["maps"])]
        """)
        XCTAssertEqual(try value(interp, "prompt[0].tolist() == ref[\"prompt\"]"), "True")
        XCTAssertEqual(try value(interp, "maps.tokens.tolist() == ref[\"generated\"]"), "True")
        XCTAssertEqual(try value(interp, "maps.steps"), "3")   // 4 tokens generated, the last never fed back
        let dMax = try value(interp, "max(d_max)"), dMean = try value(interp, "max(d_mean)")
        print("attention_maps vs transformers (llama3-chat-tiny): max |Δ| max-over-heads \(dMax), mean-over-heads \(dMean)")
        XCTAssertEqual(try value(interp, "max(d_max) < 1e-4 and max(d_mean) < 1e-4"), "True")
        XCTAssertEqual(try value(interp, "labels"), "[True, True, True]")
        // Rows: the input tokens, then one lens row per block; 66 prompt tokens + the fed-back token.
        XCTAssertEqual(try value(interp, "(len(maps.labels(0)), len(maps.labels(0)[0]), maps.attention(0).shape)"), "(4, 67, (3, 67))")
        XCTAssertEqual(try value(interp, "maps.labels(0)[0][:2]"), "['<|begin_of_text|>', '<|start_header_id|>']")
        // One head is at most the max over heads, at least zero.
        let head = try run("one = attention_maps(model, prompt, max_gen_len=2, temperature=0, heads=1)\nm = attention_maps(model, prompt, max_gen_len=2, temperature=0)")
        XCTAssertEqual(try value(head, "(one.attention(0) - m.attention(0)).max().item() <= 0 and one.attention(0).min().item() >= 0"), "True")
    }

    /// bf16 weights with bf16 products (the 8B's default): the lens multiplies by the stored unembedding
    /// (no f32 W_U); labels and maps stay those of the viewer up to bf16 rounding.
    func testBF16ProductsKeepTheViewersLabels() throws {
        try XCTSkipUnless(BF16Products.isAvailable, "no AVX512_BF16")
        let interp = try run("""
        model = load(CHAT + "/llama3-chat-tiny", dtype="bf16", compute="bf16")
        maps = attention_maps(model, prompt, max_gen_len=ref["max_gen_len"], temperature=0)
        same = 0
        total = 0
        for i, m in enumerate(ref["maps"]):
            for a, b in zip(maps.label_ids(i), m["labels"]):
                same += sum([1 for x, y in zip(a, b) if x == y])
                total += len(b)
        d_max = max([(maps.attention(i) - tensor(m["attention_max"])).abs().max().item() for i, m in enumerate(ref["maps"])])
        """)
        let same = Double(try value(interp, "same"))!, total = Double(try value(interp, "total"))!
        let dMax = try value(interp, "d_max")
        print("attention_maps with bf16 products vs transformers f32: labels agree \(Int(same))/\(Int(total)), max |Δ| max-over-heads \(dMax)")
        let direct = try HookedTransformer(path: Self.chat.appendingPathComponent("llama3-chat-tiny").path,
                                           options: LoadOptions(threads: 2, dtype: .bf16, compute: .bf16))
        XCTAssertTrue(direct.unembedsInPlace && direct.config.usesRMSNorm)     // the path the maps took
        XCTAssertGreaterThanOrEqual(same / total, 0.9)
        XCTAssertEqual(try value(interp, "d_max < 5e-2"), "True")
    }

    func testFilesAreNamedAsTheViewerNamesThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-maps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let interp = try run("""
        wide = attention_maps(model, prompt, max_gen_len=2, temperature=0, window=100, out_dir="\(dir.path)/wide")
        cut = attention_maps(model, prompt, max_gen_len=2, temperature=0, out_dir="\(dir.path)/cut")
        """)
        // Every position in one window: attn_{i}; else attn_{i}_{j}, 67 positions in 32 moving by 5: 0…35.
        XCTAssertEqual(try value(interp, "[f.split(\"/\")[-1] for f in wide.files]"), "['attn_0.svg']")
        XCTAssertEqual(try value(interp, "[f.split(\"/\")[-1] for f in cut.files]"),
                       "['attn_0_0.svg', 'attn_0_1.svg', 'attn_0_2.svg', 'attn_0_3.svg', 'attn_0_4.svg', 'attn_0_5.svg', 'attn_0_6.svg', 'attn_0_7.svg']")
        XCTAssertEqual(try value(interp, "cut.windows(0)[-1]"), "('attn_0_7', 35, 67)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cut/attn_0_7.svg").path))
    }

    func testSamplingIsSeeded() throws {
        let interp = try run("""
        a = attention_maps(model, prompt, max_gen_len=6, seed=7)
        b = attention_maps(model, prompt, max_gen_len=6, seed=7)
        hot = [attention_maps(model, prompt, max_gen_len=6, temperature=5, top_p=1, seed=s).tokens.tolist() for s in range(3)]
        """)
        XCTAssertEqual(try value(interp, "a.tokens.tolist() == b.tokens.tolist()"), "True")
        XCTAssertEqual(try value(interp, "hot[0] != hot[1] or hot[1] != hot[2]"), "True")   // the seed matters when sampling is wide
    }

    func testChatTokensBindingAndErrors() throws {
        let interp = try run("""
        as_dicts = model.chat_tokens([{"role": "system", "content": system}, {"role": "user", "content": ref["user"]}])
        """)
        XCTAssertEqual(try value(interp, "as_dicts.tolist() == prompt.tolist() and prompt.shape[0] == 1"), "True")
        for (code, fragment) in [
            ("model.chat_tokens(\"hi\")", "list of (role, content) pairs"),
            ("model.chat_tokens([(\"user\",)])", "messages[0]: a message is (role, content)"),
            ("model.chat_tokens([{\"role\": \"user\"}])", "needs \"role\" and \"content\""),
            ("load(FIXTURES + \"/llama3-tiny\").chat_tokens([(\"user\", \"hi\")])", "no chat template"),
            ("attention_maps(model, prompt, heads=\"median\")", "heads must be \"max\", \"mean\" or a head index"),
            ("attention_maps(model, prompt, format=\"jpg\")", "format must be"),
            ("attention_maps(model, prompt, top_p=0)", "top_p must be in (0, 1]"),
        ] {
            XCTAssertThrowsError(try interp.execute(code, file: "bad.loupe"), code) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(code): \(error)")
            }
        }
    }
}
