// An offer of the local offer map and its structure (checked by .ci/relay-check).
import { graphql } from "react-relay";

export const query = graphql`
  query OfferCardQuery($id: ID!) {
    offer(id: $id) {
      ...OfferCard_offer
    }
  }
`;

export const offer = graphql`
  fragment OfferCard_offer on Offer {
    id
    name
    description
    serviceType
    structure {
      id
      name
    }
  }
`;
