import LoupeInterpreter
import LoupeTokenizers

/// `model.chat_tokens(messages)`: an instruct model's prompt in its own chat format.
enum ChatBindings {
    static func install() {
        Builtins.registerMethod(
            type: "Model", "model.chat_tokens(messages)",
            doc: """
            Token ids [1, pos] of a conversation in the model's chat format, ending with the assistant's header \
            for the model to answer. messages: (role, content) pairs or {"role": ..., "content": ...} dicts. \
            Llama 3 models (a template with Llama 3's header tokens, or no template and those special tokens, as \
            Meta's checkpoints): exactly Meta's ChatFormat.encode_dialog_prompt (<|begin_of_text|>; per message \
            <|start_header_id|>role<|end_header_id|>\\n\\n, the content stripped, <|eot_id|>; then the assistant \
            header; special-token text inside a message is plain text, as Meta's tokenizer reads it); Hugging Face's \
            Llama 3 template gives the same ids (Llama 3.1's template writes the "Cutting Knowledge Date" lines \
            itself, which Meta's format leaves to the system message). ChatML models (SmolLM2, Qwen2): \
            apply_chat_template(..., add_generation_prompt=True), including the template's default system \
            message when the conversation has none. Any other template is an error: Loupe does not guess.
            """,
            example: "tokens = model.chat_tokens([(\"system\", \"You are a helpful assistant\"), (\"user\", \"Who is Bob's sister?\")])\nmodel.to_str_tokens(tokens)"
        ) { _, recv, args in
            let m = try ModelBindings.model(recv)
            let tokenizer = try m.requireTokenizer("chat_tokens")
            let messages = try self.messages(args.value("messages"))
            let ids = try engineCall { try ChatFormat.of(tokenizer).encode(messages, with: tokenizer) }
            return .tokenRows([ids])
        }
    }

    /// (role, content) pairs or {"role", "content"} dicts; errors name the message.
    static func messages(_ v: Value) throws -> [ChatMessage] {
        let items: [Value]
        switch v {
        case .list, .tuple: items = try Ops.iterate(v)
        default: throw LoupeError("chat_tokens: messages must be a list of (role, content) pairs or {\"role\", \"content\"} dicts, not \(v.typeName)")
        }
        return try items.enumerated().map { i, item in
            let what = "chat_tokens: messages[\(i)]"
            switch item {
            case .dict(let d):
                guard let role = try d.get(.string("role")), let content = try d.get(.string("content")) else {
                    throw LoupeError("\(what): a dict message needs \"role\" and \"content\"")
                }
                return ChatMessage(role: try role.asString("\(what)[\"role\"]"), content: try content.asString("\(what)[\"content\"]"))
            case .list, .tuple:
                let pair = try Ops.iterate(item)
                guard pair.count == 2 else { throw LoupeError("\(what): a message is (role, content), got \(pair.count) items") }
                return ChatMessage(role: try pair[0].asString("\(what) role"), content: try pair[1].asString("\(what) content"))
            default:
                throw LoupeError("\(what): expected a (role, content) pair or a {\"role\", \"content\"} dict, not \(item.typeName)")
            }
        }
    }
}
