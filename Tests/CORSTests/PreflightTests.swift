import CORS
import Testing

private let okPUT = Expected.answered(
    204, acao: "https://a.com", acac: "true", acam: "PUT", acah: "authorization", acma: "30", vary: varyPreflight)

/// A preflight from `https://a.com` asking for `method` with `extra` request fields.
private func preflight(
    _ name: String, _ config: CORSConfiguration = example, method: String, headers extra: [Header] = [],
    _ expected: Expected
) -> BehaviourCase {
    BehaviourCase(name, config, "OPTIONS", [origin("https://a.com"), acrm(method)] + extra, expected)
}

private func ok(_ method: String, acah: String? = nil, acma: String? = "30") -> Expected {
    .answered(204, acao: "https://a.com", acac: "true", acam: method, acah: acah, acma: acma, vary: varyPreflight)
}

private let open = CORSConfiguration(origins: ["https://a.com"], methods: ["PUT"], allowedHeaders: ["*"])
private let openWithAuth = with(open) { $0.allowedHeaders = ["*", "Authorization"] }
private func okOpen(_ acah: String?) -> Expected {
    .answered(204, acao: "https://a.com", acam: "PUT", acah: acah, vary: varyPreflight)
}

@Suite struct PreflightTests {
    static let table: [BehaviourCase] = [
        // methods, byte for byte
        preflight("PUT listed", method: "PUT", ok("PUT")),
        preflight("PURGE listed", method: "PURGE", ok("PURGE")),
        preflight("put is not PUT", method: "put", .refusedPreflight(.methodNotAllowed)),
        preflight("purge is not PURGE", method: "purge", .refusedPreflight(.methodNotAllowed)),
        preflight("PATCH not listed", method: "PATCH", .refusedPreflight(.methodNotAllowed)),
        preflight("DELETE not listed", method: "DELETE", .refusedPreflight(.methodNotAllowed)),
        preflight("safelisted GET", method: "GET", ok("GET")),
        preflight("safelisted HEAD", method: "HEAD", ok("HEAD")),
        preflight("safelisted POST", method: "POST", ok("POST")),
        preflight("get is not safelisted", method: "get", .refusedPreflight(.methodNotAllowed)),
        preflight(
            "PATCH allows PATCH", with { $0.methods = ["PATCH"] }, method: "PATCH", ok("PATCH")),
        preflight(
            "PATCH does not allow patch", with { $0.methods = ["PATCH"] }, method: "patch",
            .refusedPreflight(.methodNotAllowed)),
        preflight("patch allows patch", with { $0.methods = ["patch"] }, method: "patch", ok("patch")),
        preflight(
            "patch does not allow PATCH", with { $0.methods = ["patch"] }, method: "PATCH",
            .refusedPreflight(.methodNotAllowed)),
        preflight(
            "configured put is normalized to PUT", with { $0.methods = ["put"] }, method: "PUT", ok("PUT")),
        preflight(
            "methods * allows anything", with(open) { $0.methods = ["*"] }, method: "FROB",
            .answered(204, acao: "https://a.com", acam: "*", vary: varyPreflight)),
        preflight(
            "no methods: safelisted still pass", with { $0.methods = [] }, method: "GET", ok("GET")),
        preflight("method with a space", method: "PU T", .refusedPreflight(.malformedRequestMethod)),
        preflight("empty method", method: "", .refusedPreflight(.malformedRequestMethod)),
        // request headers
        preflight("authorization", method: "PUT", headers: [acrh("authorization")], okPUT),
        preflight(",,authorization,,", method: "PUT", headers: [acrh(",,authorization,,")], okPUT),
        preflight("Authorization", method: "PUT", headers: [acrh("Authorization")], okPUT),
        preflight("AUTHORIZATION", method: "PUT", headers: [acrh("AUTHORIZATION")], okPUT),
        preflight("spaces around", method: "PUT", headers: [acrh("  authorization  ")], okPUT),
        preflight("tabs around", method: "PUT", headers: [acrh("\tauthorization\t")], okPUT),
        preflight("repeated name", method: "PUT", headers: [acrh("authorization, Authorization")], okPUT),
        preflight("several lines", method: "PUT", headers: [acrh("authorization"), acrh("authorization")], okPUT),
        preflight(
            "16 empty items are tolerated", method: "PUT",
            headers: [acrh(String(repeating: ",", count: 16) + "authorization")], okPUT),
        preflight(
            "17 empty items are refused", method: "PUT",
            headers: [acrh(String(repeating: ",", count: 17) + "authorization")],
            .refusedPreflight(.tooManyEmptyRequestHeaderItems)),
        preflight(
            "17 empty items over several lines are refused", method: "PUT",
            headers: [acrh(",,,,,,,,"), acrh(",,,,,,,,,"), acrh("authorization")],
            .refusedPreflight(.tooManyEmptyRequestHeaderItems)),
        preflight(
            "only empty items: no ACAH", method: "PUT", headers: [acrh(" , ,")], ok("PUT")),
        preflight(
            "4096 bytes accepted", open, method: "PUT",
            headers: [acrh(String(repeating: "x-a,", count: 1023) + "x-ab")], okOpen("*")),
        preflight(
            "4097 bytes refused", open, method: "PUT", headers: [acrh(String(repeating: "x-a,", count: 1024) + "x")],
            .refusedPreflight(.requestHeadersTooLong)),
        preflight(
            "more than 4096 bytes over several lines refused", open, method: "PUT",
            headers: [acrh(String(repeating: "x", count: 3000)), acrh(String(repeating: "y", count: 3000))],
            .refusedPreflight(.requestHeadersTooLong)),
        preflight(
            "name with a space", method: "PUT", headers: [acrh("auth orization")],
            .refusedPreflight(.malformedRequestHeaders)),
        preflight(
            "name with a quote", method: "PUT", headers: [acrh("x-\"a\"")], .refusedPreflight(.malformedRequestHeaders)),
        preflight(
            "name with a colon", open, method: "PUT", headers: [acrh("x-a:b")],
            .refusedPreflight(.malformedRequestHeaders)),
        preflight(
            "non-ASCII name", open, method: "PUT", headers: [acrh("x-é")], .refusedPreflight(.malformedRequestHeaders)),
        preflight(
            "header not listed", method: "PUT", headers: [acrh("x-custom")], .refusedPreflight(.headerNotAllowed)),
        preflight(
            "one header of two not listed", method: "PUT", headers: [acrh("authorization,x-custom")],
            .refusedPreflight(.headerNotAllowed)),
        preflight(
            "safelisted name still needs listing", method: "PUT", headers: [acrh("content-type")],
            .refusedPreflight(.headerNotAllowed)),
        preflight("* covers any name", open, method: "PUT", headers: [acrh("x-custom,x-other")], okOpen("*")),
        preflight(
            "* does not cover authorization", open, method: "PUT", headers: [acrh("authorization")],
            .refusedPreflight(.authorizationNotCoveredByWildcard)),
        preflight(
            "* does not cover Authorization among others", open, method: "PUT", headers: [acrh("x-a, Authorization")],
            .refusedPreflight(.authorizationNotCoveredByWildcard)),
        preflight(
            "* plus Authorization", openWithAuth, method: "PUT", headers: [acrh("authorization,x-custom")],
            okOpen("*,authorization")),
        preflight(
            "* plus Authorization, no ACRH: no ACAH", openWithAuth, method: "PUT", headers: [], okOpen(nil)),
        // max-age edge cases
        preflight("max-age -1 sends 0", with { $0.maxAge = -1 }, method: "PUT", ok("PUT", acma: "0")),
        preflight("max-age 0 is omitted", with { $0.maxAge = 0 }, method: "PUT", ok("PUT", acma: nil)),
        preflight("max-age nil is omitted", with { $0.maxAge = nil }, method: "PUT", ok("PUT", acma: nil)),
        preflight("max-age 86400 accepted", with { $0.maxAge = 86400 }, method: "PUT", ok("PUT", acma: "86400")),
        // Private Network Access
        preflight(
            "PNA on, asked", with { $0.privateNetwork = true }, method: "PUT", headers: [acrpn()],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", acapn: "true",
                vary: varyPreflightPNA)),
        preflight(
            "PNA on, not asked", with { $0.privateNetwork = true }, method: "PUT",
            .answered(204, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", vary: varyPreflightPNA)),
        preflight(
            "PNA on, asked with false", with { $0.privateNetwork = true }, method: "PUT", headers: [acrpn("false")],
            .answered(204, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", vary: varyPreflightPNA)),
        preflight("PNA off, asked", method: "PUT", headers: [acrpn()], ok("PUT")),
        preflight(
            "PNA on, refused preflight gets no ACAPN", with { $0.privateNetwork = true }, method: "DELETE",
            headers: [acrpn()], .refusedPreflight(.methodNotAllowed, vary: varyPreflightPNA)),
        // passthrough and status
        preflight(
            "preflightContinue forwards with the headers", with { $0.preflightContinue = true }, method: "PUT",
            headers: [acrh("authorization")],
            .forwarded(
                acao: "https://a.com", acac: "true", acam: "PUT", acah: "authorization", acma: "30",
                vary: varyPreflight)),
        preflight(
            "preflightContinue forwards a refused preflight bare", with { $0.preflightContinue = true },
            method: "DELETE", .forwarded(vary: varyPreflight, rejection: .methodNotAllowed)),
        preflight(
            "optionsSuccessStatus 200", with { $0.optionsSuccessStatus = 200 }, method: "PUT",
            .answered(200, acao: "https://a.com", acac: "true", acam: "PUT", acma: "30", vary: varyPreflight)),
        preflight(
            "optionsSuccessStatus 200 does not apply to failures", with { $0.optionsSuccessStatus = 200 },
            method: "DELETE", .refusedPreflight(.methodNotAllowed)),
        // debug mode
        preflight(
            "debug: refused method from an allowed origin", with { $0.debug = true }, method: "DELETE",
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT,PURGE", acah: "authorization", vary: varyPreflight,
                rejection: .methodNotAllowed)),
        preflight(
            "debug: refused header from an allowed origin", with { $0.debug = true }, method: "PUT",
            headers: [acrh("x-custom")],
            .answered(
                204, acao: "https://a.com", acac: "true", acam: "PUT,PURGE", acah: "authorization", vary: varyPreflight,
                rejection: .headerNotAllowed)),
        preflight(
            "debug: Authorization under * is named, never covered by an echoed *",
            with {
                $0.debug = true
                $0.credentials = false
                $0.allowedHeaders = ["*"]
            }, method: "PUT", headers: [acrh("authorization,x-custom")],
            .answered(
                204, acao: "https://a.com", acam: "PUT,PURGE", acah: "x-custom", vary: varyPreflight,
                rejection: .authorizationNotCoveredByWildcard)),
        BehaviourCase(
            "debug: refused origin still gets 403", with { $0.debug = true }, "OPTIONS",
            [origin("https://evil.example"), acrm("PUT")], .refusedPreflight(.originNotAllowed)),
        // failures and classification
        BehaviourCase(
            "refused origin", example, "OPTIONS", [origin("https://evil.example"), acrm("GET")],
            .refusedPreflight(.originNotAllowed)),
        BehaviourCase(
            "refused null", example, "OPTIONS", [origin("null"), acrm("PUT")],
            .refusedPreflight(.nullOriginNotAllowed)),
        BehaviourCase(
            "malformed origin", example, "OPTIONS", [origin("https://a.com/"), acrm("PUT")],
            .refusedPreflight(.malformedOrigin)),
        BehaviourCase(
            "any origin: static * on preflight", CORSConfiguration(origins: ["*"], methods: ["PUT"]), "OPTIONS",
            [origin("https://x.example"), acrm("PUT")], .answered(204, acao: "*", acam: "PUT", vary: varyPreflight)),
        BehaviourCase(
            "OPTIONS without ACRM is an actual request", example, "OPTIONS", [origin("https://a.com"), acrh("x")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyPreflight)),
        BehaviourCase(
            "OPTIONS with ACRM but without Origin is not CORS", example, "OPTIONS", [acrm("PUT")],
            .forwarded(vary: varyPreflight)),
        BehaviourCase(
            "PUT with ACRM is not a preflight", example, "PUT", [origin("https://a.com"), acrm("PUT")],
            .forwarded(acao: "https://a.com", acac: "true", aceh: "X-Foo", vary: varyOrigin)),
    ]

    @Test(arguments: table)
    func decides(_ c: BehaviourCase) async throws {
        try await check(c)
    }
}
