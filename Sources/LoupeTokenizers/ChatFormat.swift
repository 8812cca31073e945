import Foundation
import LoupeFormats

/// A chat template as a model's files carry it: `chat_template.jinja`, `tokenizer_config.json`'s
/// `chat_template`, or a GGUF's `tokenizer.chat_template`. Loupe does not run Jinja: `ChatFormat`
/// recognises the templates it knows and refuses the others.
public struct ChatTemplate: Sendable {
    public let text: String
    /// The file (and key) it came from, for messages.
    public let source: String

    public init(text: String, source: String) {
        self.text = text
        self.source = source
    }

    /// `chat_template.jinja` in a model folder (transformers ≥ 4.43 writes the template there).
    static func read(directory: URL) throws -> ChatTemplate? {
        let url = directory.appendingPathComponent("chat_template.jinja")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError(source: url.path, location: "", "cannot read the chat template as UTF-8 text")
        }
        return ChatTemplate(text: text, source: url.path)
    }

    /// `chat_template` of tokenizer_config.json: a string, or a list of {"name", "template"} (the "default" one).
    static func read(config: JSONObject, source: String) throws -> ChatTemplate? {
        guard let value = config["chat_template"] else { return nil }
        if let text = value.string { return ChatTemplate(text: text, source: "\(source): chat_template") }
        if let list = value.array {
            for item in list where item.object?["name"]?.string == "default" {
                if let text = item.object?["template"]?.string { return ChatTemplate(text: text, source: "\(source): chat_template[default]") }
            }
            return nil
        }
        if case .null = value { return nil }
        throw TokenizerError(source: source, location: "chat_template", "expected a string or a list of {name, template}")
    }
}

/// One message of a conversation.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// The prompt formats Loupe writes for instruct models, decided from the model's template or special
/// tokens and never guessed.
public enum ChatFormat: Sendable, Equatable {
    /// Meta's Llama 3 dialog prompt (llama-models' `ChatFormat.encode_dialog_prompt`): <|begin_of_text|>;
    /// per message <|start_header_id|> role <|end_header_id|> "\n\n" content <|eot_id|>; then the
    /// assistant's header. Each piece is encoded on its own with special-token text read as plain text
    /// (tiktoken's `encode` with `disallowed_special=()`); the content is stripped as Meta's llama3
    /// repository and Hugging Face's templates (`| trim`) do. Without a template (Meta's checkpoints) a
    /// "tool" message is written under the "ipython" header, as llama-models does.
    case llama3
    /// ChatML: "<|im_start|>role\ncontent<|im_end|>\n" per message, then "<|im_start|>assistant\n",
    /// tokenised as one text as `apply_chat_template` does. `defaultSystem`: the system message the
    /// template writes first when the conversation does not start with one (SmolLM2's, Qwen2's).
    case chatML(defaultSystem: String?)

    static let llama3Specials = ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]

    /// The format of a tokenizer's model: its chat template when it has one (ChatML templates are matched
    /// exactly, Llama 3's by its header tokens), else Llama 3's special tokens (Meta's checkpoints carry
    /// no template). Throws naming the template's file when neither applies.
    public static func of(_ tokenizer: Tokenizer) throws -> ChatFormat {
        let hasLlama3Specials = llama3Specials.allSatisfy { tokenizer.id(for: $0) != nil }
        guard let template = tokenizer.chatTemplate else {
            if hasLlama3Specials { return .llama3 }
            throw TokenizerError(source: "chat format", location: "",
                                 "this model has no chat template (chat_template.jinja, tokenizer_config.json's chat_template or the GGUF's tokenizer.chat_template) and no Llama 3 header tokens; write the prompt yourself and encode it with to_tokens")
        }
        if let format = chatML(template: template.text) { return format }
        if template.text.contains("<|start_header_id|>") && template.text.contains("<|eot_id|>") {
            guard hasLlama3Specials else {
                throw TokenizerError(source: template.source, location: "",
                                     "a Llama 3 chat template, but the tokenizer lacks \(llama3Specials.filter { tokenizer.id(for: $0) == nil }.joined(separator: ", "))")
            }
            return .llama3
        }
        throw TokenizerError(source: template.source, location: "",
                             "unknown chat template: Loupe writes Llama 3's header format and ChatML (SmolLM2's, Qwen2's templates) and does not guess others; write the prompt yourself and encode it with to_tokens")
    }

    /// The token that ends a turn (where generation of an answer stops).
    public var endOfTurn: String {
        switch self {
        case .llama3: return "<|eot_id|>"
        case .chatML: return "<|im_end|>"
        }
    }

    /// The prompt's token ids, ending with the assistant's header for the model to continue.
    public func encode(_ messages: [ChatMessage], with tokenizer: Tokenizer) throws -> [Int] {
        switch self {
        case .llama3:
            func special(_ name: String) throws -> Int {
                guard let id = tokenizer.id(for: name) else {
                    throw TokenizerError(source: "chat format", location: "", "the tokenizer has no \(name) token")
                }
                return id
            }
            let start = try special("<|start_header_id|>"), end = try special("<|end_header_id|>"), eot = try special("<|eot_id|>")
            func header(_ role: String) -> [Int] {
                [start] + tokenizer.encodeOrdinary(role) + [end] + tokenizer.encodeOrdinary("\n\n")
            }
            // Meta's checkpoints (no template): llama-models writes a tool result under the "ipython" header.
            let metaRoles = tokenizer.chatTemplate == nil
            var ids = [try special("<|begin_of_text|>")]
            for m in messages {
                let role = metaRoles && m.role == "tool" ? "ipython" : m.role
                ids += header(role) + tokenizer.encodeOrdinary(Self.pythonStrip(m.content)) + [eot]
            }
            return ids + header("assistant")
        case .chatML(let defaultSystem):
            var text = ""
            if let defaultSystem, let first = messages.first, first.role != "system" {
                text += "<|im_start|>system\n\(defaultSystem)<|im_end|>\n"
            }
            for m in messages { text += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
            return tokenizer.encode(text + "<|im_start|>assistant\n", addSpecial: false)
        }
    }

    /// The ChatML format of a template of the known shape (with or without a default system message), or
    /// nil. `\n` may be written as a newline or as Jinja's escape; trailing newlines are dropped (Jinja's
    /// trim_blocks, which transformers sets, removes a newline after a block tag).
    static func chatML(template: String) -> ChatFormat? {
        var t = template.replacingOccurrences(of: "\\n", with: "\n")
        while t.hasSuffix("\n") { t.removeLast() }
        let loop = "{% for message in messages %}"
        let message = "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
        guard t.hasPrefix(loop), t.hasSuffix(message) else { return nil }
        let middle = t.dropFirst(loop.count).dropLast(message.count)
        if middle.isEmpty { return .chatML(defaultSystem: nil) }
        let open = "{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\n"
        let close = "<|im_end|>\n' }}{% endif %}"
        guard middle.hasPrefix(open), middle.hasSuffix(close), middle.count >= open.count + close.count else { return nil }
        let system = String(middle.dropFirst(open.count).dropLast(close.count))
        // A quote or backslash would need Jinja's string rules: not a template Loupe reads.
        guard !system.contains("'"), !system.contains("\\") else { return nil }
        return .chatML(defaultSystem: system)
    }

    /// Python's `str.strip()` (and Jinja's `trim`): the characters `str.isspace` accepts, from both ends.
    static func pythonStrip(_ s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        var lo = 0, hi = scalars.count
        while lo < hi && isPythonSpace(scalars[lo]) { lo += 1 }
        while hi > lo && isPythonSpace(scalars[hi - 1]) { hi -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return String(view)
    }

    static func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

extension Tokenizer {
    /// The ids of `text` with no special-token matching ("<|eot_id|>" in the text is plain text):
    /// tiktoken's `encode` with `disallowed_special=()`, as Meta's tokenizer encodes message pieces.
    public func encodeOrdinary(_ text: String) -> [Int] {
        var piece = Array(text.unicodeScalars)
        if let normalizer { piece = normalizer.apply(piece) }
        var ids: [Int] = []
        encodeWords(piece[...], startsText: true, into: &ids)
        return ids
    }
}
