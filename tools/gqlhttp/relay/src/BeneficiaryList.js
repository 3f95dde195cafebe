// The coordinator's paginated list of beneficiaries, as a Relay client writes it
// (checked by .ci/relay-check; docs/clients.md).
import { graphql } from "react-relay";

export const query = graphql`
  query BeneficiaryListQuery($first: Int = 20, $after: String, $filter: BeneficiaryFilter) {
    ...BeneficiaryList_query @arguments(first: $first, after: $after, filter: $filter)
  }
`;

export const list = graphql`
  fragment BeneficiaryList_query on Query
  @refetchable(queryName: "BeneficiaryListPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 20 }
    after: { type: "String" }
    filter: { type: "BeneficiaryFilter" }
  ) {
    beneficiaries(first: $first, after: $after, filter: $filter) @connection(key: "BeneficiaryList_beneficiaries") {
      totalCount
      edges {
        node {
          id
          ...BeneficiaryCard_beneficiary
        }
      }
    }
  }
`;
