// Where each Durable Object location hint sits on the map, so a caller's coordinates (request.cf) can be
// matched to the nearest configured region. Points are the large Cloudflare metros in each hint area.

export interface RegionLocation {
  latitude: number;
  longitude: number;
  /** Continent codes (request.cf.continent) this region serves when the caller has no coordinates. */
  continents: string[];
}

export const REGION_LOCATIONS: Readonly<Record<string, RegionLocation>> = {
  wnam: { latitude: 37.77, longitude: -122.42, continents: ["NA"] }, // San Francisco
  enam: { latitude: 38.95, longitude: -77.45, continents: ["NA"] }, // Ashburn
  sam: { latitude: -23.55, longitude: -46.63, continents: ["SA"] }, // São Paulo
  weur: { latitude: 50.11, longitude: 8.68, continents: ["EU"] }, // Frankfurt
  eeur: { latitude: 52.23, longitude: 21.01, continents: ["EU"] }, // Warsaw
  apac: { latitude: 1.35, longitude: 103.82, continents: ["AS"] }, // Singapore
  oc: { latitude: -33.87, longitude: 151.21, continents: ["OC"] }, // Sydney
  afr: { latitude: -26.2, longitude: 28.05, continents: ["AF"] }, // Johannesburg
  me: { latitude: 25.2, longitude: 55.27, continents: ["AS"] }, // Dubai
};

/** Great-circle distance in km. */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
