// CORSVapor's package dependencies are resolved only under swift-cors's trait "Vapor" (Package.swift), and its
// other files compile only under it. Without the trait this is the one error a consumer sees.
#if !Vapor
#error(
    "CORSVapor is built only with swift-cors's trait \"Vapor\": add traits: [\"Vapor\"] to the swift-cors .package line"
)
#endif
