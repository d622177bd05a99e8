import { ReferenceSeriesIndex } from './reference-series-index.js';

/**
 * The plain TypeScript series index under its original name, for test kits and small tools:
 * a Map keyed by decoded label strings (see ReferenceSeriesIndex).
 */
export class MapSeriesIndex extends ReferenceSeriesIndex {}
