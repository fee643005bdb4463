// tfjs-core's Node bundle registers no gradient functions (they live only in its unbundled ESM
// tree, which Node cannot load: it uses directory imports). The official union package
// @tensorflow/tfjs registers all of them into the global gradient registry on import.
import '@tensorflow/tfjs';
