// One beneficiary, refetched through Query.node (checked by .ci/relay-check).
import { graphql } from "react-relay";

export const card = graphql`
  fragment BeneficiaryCard_beneficiary on Beneficiary @refetchable(queryName: "BeneficiaryCardRefetchQuery") {
    id
    version
    firstName
    lastName
    phase
  }
`;
