import LoupeInterpreter

/// The host object of type `Object` a method was called on; anything else is an error saying `what` was
/// expected ("a Table").
func hostReceiver<Object>(_ v: Value, _ what: String) throws -> Object {
    if case .host(let h as Object) = v { return h }
    throw LoupeError("expected \(what), not \(v.typeName)")
}
