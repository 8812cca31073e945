import LoupeInterpreter
import LoupeNotebook
/// `display(x)`: shows a value in the cell's output at that point, as IPython's display() does.
enum DisplayBindings {
    static func install() {
        Builtins.register(
            "display(*values)",
            doc: "Shows values in the output now (figures, views and tables richly, others as their repr), as IPython's display(); useful inside loops and functions, where only a cell's last expression is shown otherwise.",
            example: "for layer in [0, 5]:\n    display(attention_patterns(cache[\"pattern\", layer], tokens))"
        ) { interp, args in
            for v in args.varArgs {
                if let out = interp.display(v) { interp.emit(out) }
            }
            return .none
        }
    }
}
