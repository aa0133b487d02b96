// CORSNIO's package dependencies are resolved only under swift-cors's trait "NIO" (Package.swift), and its
// other files compile only under it. Without the trait this is the one error a consumer sees.
#if !NIO
#error("CORSNIO is built only with swift-cors's trait \"NIO\": add traits: [\"NIO\"] to the swift-cors .package line")
#endif
