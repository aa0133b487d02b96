// CORSHummingbirdWebSocket's package dependencies are resolved only under swift-cors's trait "HummingbirdWebSocket" (Package.swift), and its
// other files compile only under it. Without the trait this is the one error a consumer sees.
#if !HummingbirdWebSocket
#error(
    "CORSHummingbirdWebSocket is built only with swift-cors's trait \"HummingbirdWebSocket\": add traits: [\"HummingbirdWebSocket\"] to the swift-cors .package line"
)
#endif
