import ArgumentParser
import Foundation
import LoupeFormats
import LoupeModels

/// `loupe info MODEL`: what a model file or directory holds, without loading the weights.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show what a model file or directory holds (architecture, tensors, tokenizer).")

    @ArgumentParser.Argument(help: "A .gguf file, a model directory, a name under models/, or a Hugging Face hub name.")
    var model: String

    @Flag(name: .long, help: "List every tensor with its dtype and shape.")
    var tensors = false

    func run() throws {
        let location: ModelLocation
        do {
            location = try ModelLocator.resolve(model)
        } catch {
            throw CLIFailure.usage("\(error)")
        }
        Console.out("model: \(location.url.path) (\(location.kind.rawValue))")
        let weights: WeightSource
        var metaConfig: ModelConfig?
        do {
            if location.kind == .meta {
                (weights, metaConfig) = try MetaCheckpoint.open(location)
            } else {
                weights = try location.weights()
            }
        } catch {
            throw CLIFailure(message: "\(error)", code: 1)
        }
        if let gguf = weights as? GGUFFile {
            let name = gguf.metadata["general.name"]?.string.map { ", \"\($0)\"" } ?? ""
            Console.out("format: GGUF v\(gguf.version), \(gguf.metadataKeys.count) metadata keys\(name)")
        }
        do {
            let config: ModelConfig
            if let metaConfig {
                config = metaConfig
            } else if let gguf = weights as? GGUFFile {
                config = try ModelConfig(gguf: gguf)
            } else if let url = location.configURL {
                config = try ModelConfig(hfConfig: url)
            } else {
                throw CLIFailure(message: "no config.json next to the weights", code: 1)
            }
            let kv = config.nKVHeads == config.nHeads ? "" : " (\(config.nKVHeads) KV)"
            Console.out("architecture: \(config.architecture.rawValue), \(config.nLayers) layers, d_model \(config.dModel), "
                        + "\(config.nHeads) heads\(kv) × d_head \(config.dHead), d_mlp \(config.dMLP), "
                        + "vocab \(config.dVocab), n_ctx \(config.nCtx)")
        } catch {
            Console.out("architecture: not supported by Loupe (\(error))")
        }

        let infos = weights.tensorNames.compactMap(weights.info)
        let parameters = infos.reduce(0) { $0 + $1.elementCount }
        let bytes = infos.reduce(0) { $0 + $1.byteCount }
        var byType: [String: Int] = [:]
        for info in infos { byType[info.dtype.rawValue, default: 0] += 1 }
        let types = byType.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        Console.out(String(format: "weights: %d tensors, %.1fM parameters, %.1f MB (%@)",
                           infos.count, Double(parameters) / 1e6, Double(bytes) / 1e6, types))
        let tokenizer = location.kind == .gguf ? "embedded in the GGUF file"
            : location.tokenizerJSONURL?.lastPathComponent ?? location.vocabJSONURL.map { _ in "vocab.json + merges.txt" }
            ?? location.sentencePieceURL?.lastPathComponent ?? "none found"
        Console.out("tokenizer: \(tokenizer)")
        if tensors {
            for info in infos { Console.out("  \(info.name)  \(info.dtype.rawValue)  \(info.shape)") }
        }
    }
}
