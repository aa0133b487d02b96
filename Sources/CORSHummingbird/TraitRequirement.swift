// CORSHummingbird's package dependencies are resolved only under swift-cors's trait "Hummingbird" (Package.swift), and its
// other files compile only under it. Without the trait this is the one error a consumer sees.
#if !Hummingbird
#error(
    "CORSHummingbird is built only with swift-cors's trait \"Hummingbird\": add traits: [\"Hummingbird\"] to the swift-cors .package line"
)
#endif
