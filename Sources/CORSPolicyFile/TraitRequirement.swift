// CORSPolicyFile's package dependencies are resolved only under swift-cors's trait "PolicyFile" (Package.swift), and its
// other files compile only under it. Without the trait this is the one error a consumer sees.
#if !PolicyFile
#error(
    "CORSPolicyFile is built only with swift-cors's trait \"PolicyFile\": add traits: [\"PolicyFile\"] to the swift-cors .package line"
)
#endif
