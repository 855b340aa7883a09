// The tile grid of the 20 first-level units (17 regions, 3 cities of republican significance),
// copied from the project's design data (shared/design/region-tiles.csv, a first layout to adjust by
// eye): row 0 is the north, column 0 the west, one equal square each, placed roughly where the unit
// lies. Not a map: no boundaries file is needed, and the three cities get a full tile.
export interface RegionTile { code: string; row: number; col: number; note: string }

export const REGION_TILES: readonly RegionTile[] = [
  { code: 'KZ-39', row: 0, col: 2, note: 'Kostanay region' },
  { code: 'KZ-59', row: 0, col: 3, note: 'North Kazakhstan region' },
  { code: 'KZ-55', row: 0, col: 4, note: 'Pavlodar region' },
  { code: 'KZ-27', row: 1, col: 0, note: 'West Kazakhstan region' },
  { code: 'KZ-15', row: 1, col: 1, note: 'Aktobe region' },
  { code: 'KZ-11', row: 1, col: 2, note: 'Akmola region' },
  { code: 'KZ-71', row: 1, col: 3, note: 'Astana (city)' },
  { code: 'KZ-10', row: 1, col: 4, note: 'Abai region' },
  { code: 'KZ-63', row: 1, col: 5, note: 'East Kazakhstan region' },
  { code: 'KZ-23', row: 2, col: 0, note: 'Atyrau region' },
  { code: 'KZ-62', row: 2, col: 2, note: 'Ulytau region' },
  { code: 'KZ-35', row: 2, col: 3, note: 'Karaganda region' },
  { code: 'KZ-47', row: 3, col: 0, note: 'Mangystau region' },
  { code: 'KZ-43', row: 3, col: 1, note: 'Kyzylorda region' },
  { code: 'KZ-61', row: 3, col: 2, note: 'Turkistan region' },
  { code: 'KZ-31', row: 3, col: 3, note: 'Jambyl region' },
  { code: 'KZ-19', row: 3, col: 4, note: 'Almaty region' },
  { code: 'KZ-33', row: 3, col: 5, note: 'Jetisu region' },
  { code: 'KZ-79', row: 4, col: 2, note: 'Shymkent (city)' },
  { code: 'KZ-75', row: 4, col: 4, note: 'Almaty (city)' },
];

export const TILE_ROWS = Math.max(...REGION_TILES.map((t) => t.row)) + 1;
export const TILE_COLS = Math.max(...REGION_TILES.map((t) => t.col)) + 1;
