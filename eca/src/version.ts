/** Product name and version as sent in the `User-Agent` header, which IBKR requires on every call. */

import { version } from '../../package.json';

export const PRODUCT_NAME = 'ibkr-am-requests';
export const PRODUCT_VERSION: string = version;
export const USER_AGENT = `${PRODUCT_NAME}/${PRODUCT_VERSION}`;
