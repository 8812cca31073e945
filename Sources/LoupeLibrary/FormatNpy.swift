import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeFormats
import LoupeTensor

/// Loupe tensors to and from the array codecs of LoupeFormats (`NpyFile`, `SafetensorsFile`,
/// `SafetensorsWriter`): float tensors are written as float32, int tensors as int64, bool tensors as bool;
/// every integer, float and boolean element type is read.
extension TensorValue {
    var elementArray: ElementArray {
        let element: ArrayElement
        switch kind { case .float: element = .float32; case .int: element = .int64; case .bool: element = .bool }
        return ElementArray(shape: tensor.shape, element: element, values: tensor.toArray())
    }

    convenience init(_ array: ElementArray) {
        let kind: TensorValue.Kind
        switch array.element.kind { case .float: kind = .float; case .int: kind = .int; case .bool: kind = .bool }
        self.init(Tensor(shape: array.shape, data: array.values), kind: kind)
    }
}

/// A codec error as the language reports it.
private func languageError(_ error: Error) -> Error {
    (error as? FormatError).map { LoupeError($0.description) } ?? error
}

enum Npy {
    static func encode(_ t: TensorValue) -> Data {
        Data(NpyFile.encode(t.elementArray))
    }

    static func decode(_ data: Data, name: String) throws -> TensorValue {
        do {
            return try data.withUnsafeBytes { TensorValue(try NpyFile.decode($0, file: name)) }
        } catch {
            throw languageError(error)
        }
    }
}

enum Safetensors {
    static func encode(_ tensors: [(String, TensorValue)]) throws -> Data {
        do {
            return Data(try SafetensorsWriter.encode(tensors.map { (name: $0.0, array: $0.1.elementArray) }))
        } catch {
            throw languageError(error)
        }
    }

    /// The tensors by name, sorted.
    static func decode(_ data: Data, name: String) throws -> [(String, TensorValue)] {
        do {
            let file = try SafetensorsFile(mapped: MappedFile(copying: data, url: URL(fileURLWithPath: name)))
            return try file.allTensorNames.sorted().map { ($0, TensorValue(try file.elementArray($0))) }
        } catch {
            throw languageError(error)
        }
    }
}
