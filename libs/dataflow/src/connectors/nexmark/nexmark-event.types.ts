/**
 * Nexmark event shapes (Person, Auction, Bid) as flat plain objects discriminated on `type`.
 * This is exactly the shape of one line of the JSON Lines input the example jobs accept, so
 * generated and file-read events flow through the same code.
 */

export const NexmarkEventType = {
  Person: 'person',
  Auction: 'auction',
  Bid: 'bid',
} as const;
export type NexmarkEventType = (typeof NexmarkEventType)[keyof typeof NexmarkEventType];

export interface PersonEvent {
  type: 'person';
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  /** Event time, epoch milliseconds. */
  dateTime: number;
  extra: string;
}

export interface AuctionEvent {
  type: 'auction';
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  /** Event time, epoch milliseconds. */
  dateTime: number;
  /** Epoch milliseconds after which the auction takes no more bids (inclusive bound). */
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface BidEvent {
  type: 'bid';
  auction: number;
  bidder: number;
  /** Price in cents, as in Nexmark. */
  price: number;
  channel: string;
  url: string;
  /** Event time, epoch milliseconds. */
  dateTime: number;
  extra: string;
}

export type NexmarkEvent = PersonEvent | AuctionEvent | BidEvent;
