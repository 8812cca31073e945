import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeTensor

/// Analysis builtins over plain values: embeddings (t-SNE, PCA, trustworthiness), prompt datasets,
/// random token inputs, histograms with shared edges, attention windows.
enum AnalysisBindings {
    static let defaultCorpus = "/usr/share/games/fortunes"

    static func install() {
        Builtins.register(
            "tsne(points, perplexity: float = 30, seed: int = 0, iterations: int = 1000, method: str | None = None)",
            doc: """
            t-SNE of the rows of `points` ([n, d]) into 2-D, with scikit-learn's schedule (early exaggeration \
            12, learning rate "auto", PCA initialisation). The gradient's method by size (measured in \
            bench/tsne): "exact" for n ≤ \(TSNE().exactLimit), "barnes_hut" below \(TSNE().fftFrom) points, "fft" \
            (FFT-accelerated interpolation, FIt-SNE) from there; `method` forces one. Returns [n, 2].
            """,
            example: "xy = tsne(model.W_E[token_ids], perplexity=30)\nscatter(xy[:, 0], xy[:, 1])"
        ) { _, args in
            let (x, n, d) = try matrix(args.value("points"), "points")
            var t = TSNE(perplexity: try args.double("perplexity"), iterations: try args.int("iterations"),
                         seed: UInt64(max(0, try args.int("seed"))))
            guard t.perplexity > 0, t.iterations > 0 else { throw LoupeError("tsne: perplexity and iterations must be positive") }
            if let name = try args.optionalString("method") {
                let methods: [String: TSNE.Method] = ["exact": .exact, "barnes_hut": .barnesHut, "fft": .fft]
                guard let m = methods[name] else { throw LoupeError("tsne: method must be \"exact\", \"barnes_hut\" or \"fft\", not \"\(name)\"") }
                t.method = m
                // FFT interpolation diverges on tiny sets (10 points); it is chosen automatically from 2000.
                guard m != .fft || n >= 100 else { throw LoupeError("tsne: method \"fft\" needs at least 100 points, got \(n)") }
            }
            return .tensor(Tensor(shape: [n, 2], data: t.embed(x, n: n, d: d)))
        }

        Builtins.register(
            "pca(points, k: int = 2)",
            doc: "Projects the rows of `points` ([n, d]) onto their first k principal axes (centred; signs as scikit-learn's). Returns [n, k].",
            example: "xy = pca(resid[:, -1, :], k=2)"
        ) { _, args in
            let (x, n, d) = try matrix(args.value("points"), "points")
            let k = try args.int("k")
            guard k >= 1 && k <= d else { throw LoupeError("pca: k=\(k) must be between 1 and the point dimension \(d)") }
            return .tensor(Tensor(shape: [n, k], data: PCA.project(x, n: n, d: d, components: k).coords))
        }

        Builtins.register(
            "trustworthiness(high, low, k: int = 5)",
            doc: "How well an embedding `low` ([n, 2]) keeps the k nearest neighbours of `high` ([n, d]): 1 is perfect (scikit-learn's trustworthiness).",
            example: "print(trustworthiness(points, tsne(points), k=5))"
        ) { _, args in
            let (h, n, d) = try matrix(args.value("high"), "high")
            let (l, m, e) = try matrix(args.value("low"), "low")
            guard n == m else { throw LoupeError("trustworthiness: high has \(n) points but low has \(m)") }
            let k = try args.int("k")
            guard k >= 1 && k < n / 2 else { throw LoupeError("trustworthiness: k=\(k) must be at least 1 and below n/2 = \(n / 2)") }
            return .float(trustworthiness(high: h, d: d, low: l, lowD: e, n: n, neighbours: k))
        }

        Builtins.register(
            "read_prompts(path: str | None = None, field: str | None = None, k: int | None = None, seed: int = 0)",
            doc: """
            Prompts from a text dataset: .txt (one per line), fortune files (entries between `%` lines) or a \
            folder of them, .csv (field = the column), .jsonl (field = the key). Without a path, the Debian \
            fortunes corpus (\(defaultCorpus)). k draws that many at random (reproducibly from seed).
            """,
            example: "prompts = read_prompts(k=32, seed=0)\nreviews = read_prompts(\"imdb.csv\", field=\"text\", k=3)"
        ) { rt, args in
            let path = try args.optionalString("path").map { FileBuiltins.url($0, rt).path } ?? defaultCorpus
            if path == defaultCorpus, !FileManager.default.fileExists(atPath: path) {
                throw LoupeError("read_prompts: the default corpus \(path) is missing", hint: "install Debian's fortunes package (apt-get install fortunes) or pass a path")
            }
            let field = try args.optionalString("field")
            var prompts = try TableBindings.checked { try TextDataset.load(path: path, field: field) }
            if let k = try args.optionalInt("k") {
                guard k >= 0 else { throw LoupeError("read_prompts: k must be ≥ 0, not \(k)") }
                prompts = TextDataset.sample(prompts, k: k, seed: UInt64(max(0, try args.int("seed"))))
            }
            return .list(prompts.map { .string($0) })
        }

        // n random token ids: the same arguments, a different draw.
        let draws: [(header: String, doc: String, example: String, draw: (Int, Int, UInt64) -> [Int])] = [
            ("random_tokens(n: int, vocab, seed: int = 0)",
             "n token ids drawn uniformly from [0, vocab) as an int tensor [n] (torch.randint). vocab may be a model.",
             "ids = random_tokens(31, model, seed=1)", RandomInputs.uniform),
            ("repeated_token(n: int, vocab, seed: int = 0)",
             "One random token repeated n times, as an int tensor [n] (torch.full((1, n), token)).",
             "ids = repeated_token(31, model, seed=2)", RandomInputs.repeatedToken),
        ]
        for d in draws {
            Builtins.register(d.header, doc: d.doc, example: d.example) { rt, args in
                let (n, vocab, seed) = try (count(args.value("n"), "n"), vocabSize(args.value("vocab"), rt), seedArg(args))
                return ids(d.draw(n, vocab, seed))
            }
        }

        Builtins.register(
            "repeated_sequence(period: int, repeats: int, vocab, seed: int = 0)",
            doc: "A random sequence of `period` tokens repeated `repeats` times, as an int tensor [period·repeats] (randint((1, 3)).repeat(1, 10)).",
            example: "ids = repeated_sequence(3, 10, model, seed=3)"
        ) { rt, args in
            let period = try count(args.value("period"), "period"), repeats = try count(args.value("repeats"), "repeats")
            let vocab = try vocabSize(args.value("vocab"), rt), seed = try seedArg(args)
            return ids(RandomInputs.repeatedSequence(period: period, repeats: repeats, vocab: vocab, seed: seed))
        }

        Builtins.register(
            "histogram_density(values, edges, density: bool = True)",
            doc: """
            numpy.histogram(values, bins=edges, density=True): the density in each bin [e_i, e_i+1) (the \
            last closed), so histograms of different layers share bins. `edges` is a list/tensor of edges or \
            a bin count (equal bins over the values' range). density=False gives counts. Returns a tensor.
            """,
            example: "edges = linspace(-5, 5, 51)\nrows = [histogram_density(q[l], edges) for l in range(n_layers)]"
        ) { _, args in
            let values = try ViewArguments.numbers(args.value("values"), "values").values
            let edgesArg = args.value("edges")
            let edges: [Double]
            if case .int(let bins) = edgesArg {
                guard bins >= 1 else { throw LoupeError("histogram_density: bins must be ≥ 1") }
                edges = Histogram.edges(values, bins: bins)
            } else {
                edges = try ViewArguments.numbers(edgesArg, "edges").values.map(Double.init)
                guard edges.count >= 2 else { throw LoupeError("histogram_density: edges needs at least 2 values") }
                for i in 1..<edges.count where !(edges[i] > edges[i - 1]) {
                    throw LoupeError("histogram_density: edges must increase (edges[\(i)] = \(edges[i]) after \(edges[i - 1]))")
                }
            }
            let h = Histogram.counts(values, edges: edges, density: args.value("density").isTruthy)
            return .tensor(Tensor(shape: [h.count], data: h.map(Float.init)))
        }

        Builtins.register(
            "attention_windows(length: int, size: int = 32, stride: int = 5)",
            doc: """
            Windows over key positions: (start, stop) pairs of `size` positions moving by `stride`; \
            the last window ends at `length` so every position is shown. One window when length ≤ size.
            """,
            example: "for j, (a, b) in enumerate(attention_windows(45)): print(j, a, b)"
        ) { _, args in
            let length = try count(args.value("length"), "length")
            let size = try args.int("size"), stride = try args.int("stride")
            guard size >= 1, stride >= 1 else { throw LoupeError("attention_windows: size and stride must be ≥ 1") }
            return .list(AttentionWindows.starts(length: length, size: size, stride: stride)
                .map { .tuple([.int($0), .int(min($0 + size, length))]) })
        }
    }

    /// Row-major values of an [n, d] matrix (tensor or nested lists).
    static func matrix(_ v: Value, _ what: String) throws -> ([Float], Int, Int) {
        let (x, shape) = try ViewArguments.numbers(v, what)
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
            throw LoupeError("\(what) must be a 2-d [n, d] tensor or list of rows, got shape \(TensorMath.shapeText(shape))")
        }
        guard x.allSatisfy({ $0.isFinite }) else { throw LoupeError("\(what) contains NaN or infinity") }
        return (x, shape[0], shape[1])
    }

    static func count(_ v: Value, _ what: String) throws -> Int {
        let n = try v.asInt(what)
        guard n >= 0 else { throw LoupeError("\(what) must be ≥ 0, not \(n)") }
        return n
    }

    /// The call's `seed` (None reads as 0), as the random-input builtins declare it.
    static func seedArg(_ args: BoundArguments) throws -> UInt64 { UInt64(bitPattern: Int64(try args.optionalInt("seed") ?? 0)) }

    /// An int, or a model (its d_vocab).
    static func vocabSize(_ v: Value, _ rt: Interpreter) throws -> Int {
        if case .host = v {
            if let d = try? rt.getAttribute(v, "d_vocab") { return try d.asInt("d_vocab") }
            if let cfg = try? rt.getAttribute(v, "cfg") {
                if case .dict(let c) = cfg, let d = try c.get(.string("d_vocab")) { return try d.asInt("d_vocab") }
                if let d = try? rt.getAttribute(cfg, "d_vocab") { return try d.asInt("d_vocab") }
            }
        }
        let n = try v.asInt("vocab")
        guard n >= 1 else { throw LoupeError("vocab must be ≥ 1, not \(n)") }
        return n
    }

    static func ids(_ xs: [Int]) -> Value { .tensor(Tensor(shape: [xs.count], data: xs.map(Float.init)), kind: .int) }
}
