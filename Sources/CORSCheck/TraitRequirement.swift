// CORSCheck's package dependencies are resolved only under swift-cors's trait "Tools" (Package.swift), and its
// other files compile only under it. Without the trait this is the one error a consumer sees.
#if !Tools
#error(
    "CORSCheck is built only with swift-cors's trait \"Tools\": add traits: [\"Tools\"] to the swift-cors .package line"
)
#endif
