/**
 * The query the hub is built to answer in one go: a learner's pathway across
 * members (what, where, how many ECTS at which level, which ESCO skills) next
 * to a catalogue search across all members. npm start prints it; the
 * benchmark runs it.
 */
export const PATHWAY_QUERY = /* GraphQL */ `query Pathway($id: ID!) {
  learner(id: $id) {
    id
    achievements {
      id grade ectsAwarded
      opportunity {
        id title ects eqfLevel kind
        institution { id name country accreditationAuthority }
        learningOutcomes { skill { uri preferredLabel } }
      }
    }
  }
  offerings(filter: { text: "sustainab" }, first: 20) { totalCount nodes { id title institution { id } } }
}`;
