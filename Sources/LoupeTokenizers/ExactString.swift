/// A String compared and hashed by its exact UTF-8 bytes. Swift's `==` on String is canonical
/// equivalence ("é" == "e\u{301}"), but tokenizers see different bytes and give different ids.
struct ExactString: Hashable {
    var text: String

    init(_ text: String) { self.text = text }

    static func == (a: ExactString, b: ExactString) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
