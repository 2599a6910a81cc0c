/** Hardhat tasks shipped with Ballast. Each task lives in its own file and is registered here. */
import "./deploy";
import "./check";
import "./simulate";
import "./keeper";
