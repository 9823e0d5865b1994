/**
 * What the hub takes as a phone number: 3 to 32 digits, spaces and + ( ) -, as people write them
 * ("139 0000 0001", "+86 (371) 6000-0000"). The same rule for the API's schemas (a pattern string)
 * and the spreadsheet imports (a RegExp), so a number one accepts the other does too.
 */
export const PHONE_PATTERN = '^[0-9+()\\- ]{3,32}$';
export const PHONE_RE = new RegExp(PHONE_PATTERN);
