import Foundation
import LoupeFormats
import XCTest
@testable import LoupeKernel

/// The wire format: framing, HMAC-SHA256 signatures (checked against Python's hmac module), and the
/// rejection of bad messages.
final class WireMessageTests: XCTestCase {
    let key = "a0436f6c-1916-498b-8eb9-e81ab9368e84"
    let header = Array(#"{"msg_id":"1","msg_type":"kernel_info_request"}"#.utf8)

    func frames(signature: String, header: [UInt8]? = nil, content: String = "{}") -> [[UInt8]] {
        [Array("client-id".utf8), Array("<IDS|MSG>".utf8), Array(signature.utf8), header ?? self.header,
         Array("{}".utf8), Array("{}".utf8), Array(content.utf8)]
    }

    func testSignatureMatchesPythonHMAC() throws {
        let signer = try MessageSigner(key: key)
        // hmac.new(key, digestmod=hashlib.sha256) updated with the four frames, in Python 3.11.
        let expected = "23d21ade63d42fc48bbe2721cd9045ceffb260c3521b7d246495f23adfca79a0"
        XCTAssertEqual(signer.signature([header, Array("{}".utf8), Array("{}".utf8), Array("{}".utf8)]), expected)
        let message = try signer.decode(frames(signature: expected))
        XCTAssertEqual(message.msgType, "kernel_info_request")
        XCTAssertEqual(message.identities, [Array("client-id".utf8)])
        XCTAssertEqual(try signer.decode(frames(signature: expected.uppercased())).msgID, "1")
    }

    func testRoundTrip() throws {
        let signer = try MessageSigner(key: key)
        let headers = MessageHeaders(session: "s")
        let sent = KernelMessage(identities: [[1, 2, 3]], header: headers.header("stream"),
                                 content: .object(JSONObject(["name": "stdout", "text": "hé\n"])), buffers: [[9]])
        let back = try signer.decode(signer.encode(sent))
        XCTAssertEqual(back.identities, [[1, 2, 3]])
        XCTAssertEqual(back.header, sent.header)
        XCTAssertEqual(back.content["text"]?.string, "hé\n")
        XCTAssertEqual(back.buffers, [[9]])
        XCTAssertEqual(back.header["version"]?.string, "5.3")
        let date = back.header["date"]?.string ?? ""
        XCTAssertTrue(date.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression) != nil, date)
    }

    func testBadMessagesAreRejectedWithAReason() throws {
        let signer = try MessageSigner(key: key)
        func reason(_ frames: [[UInt8]]) -> String {
            do { _ = try signer.decode(frames); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertEqual(reason(frames(signature: String(repeating: "0", count: 64))), "invalid signature")
        XCTAssertEqual(reason(frames(signature: "not hex")), "invalid signature")
        XCTAssertEqual(reason(frames(signature: "")), "invalid signature")
        XCTAssertTrue(reason(Array(frames(signature: "").dropFirst(2))).hasPrefix("no <IDS|MSG> delimiter"))
        XCTAssertTrue(reason(Array(frames(signature: "").prefix(5))).contains("frames after the delimiter"))
        let unsigned = try MessageSigner(key: "")
        XCTAssertTrue("\(String(describing: try? unsigned.decode(frames(signature: ""))))".contains("kernel_info_request"))
        XCTAssertTrue(reasonUnsigned(unsigned, frames(signature: "", content: "{nope")).hasPrefix("malformed JSON in content"))
        XCTAssertEqual(reasonUnsigned(unsigned, frames(signature: "", header: Array("[1]".utf8))),
                       "header must be a JSON object, not array")
        XCTAssertEqual(reasonUnsigned(unsigned, frames(signature: "", header: Array("{}".utf8))), "the header has no msg_type")
        XCTAssertThrowsError(try MessageSigner(key: "k", scheme: "hmac-md5"))
    }

    private func reasonUnsigned(_ signer: MessageSigner, _ frames: [[UInt8]]) -> String {
        do { _ = try signer.decode(frames); return "accepted" } catch { return "\(error)" }
    }

    func testConnectionFile() throws {
        let json = try JSONValue.parse(#"{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "127.0.0.1", "key": "k", "transport": "tcp", "signature_scheme": "hmac-sha256"}"#)
        let c = try KernelConnection(json: json, file: "c.json")
        XCTAssertEqual(c.endpoint(c.hbPort), "tcp://127.0.0.1:5")
        let bad = try JSONValue.parse(#"{"shell_port": "x"}"#)
        XCTAssertThrowsError(try KernelConnection(json: bad, file: "c.json")) {
            XCTAssertEqual("\($0)", "c.json: \"shell_port\" must be a port number (0–65535)")
        }
    }
}
