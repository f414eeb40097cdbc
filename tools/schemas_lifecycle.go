package tools

import "encoding/json"

// Output schemas of the key-lifecycle and price tools; written by hand for
// the reasons given in schemas.go.

var listKeysOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "keys": {
      "type": "array",
      "description": "The account's API keys, newest first. Never a secret.",
      "items": {
        "type": "object",
        "properties": {
          "key_id": {"type": "string", "description": "The key's UUID."},
          "display": {"type": "string", "description": "io.net's masked form of the key, safe to show."},
          "description": {"type": "string"},
          "project": {"type": "string"},
          "scopes": {"type": "array", "items": {"type": "string"}},
          "created_at": {"type": "string", "format": "date-time"},
          "expires_at": {"type": "string", "format": "date-time"},
          "expired": {"type": "boolean"}
        },
        "required": ["key_id", "display", "description", "project", "scopes", "expires_at", "expired"],
        "additionalProperties": false
      }
    },
    "sandbox": {"type": "boolean", "description": "True when this is sandbox data, not real io.net."}
  },
  "required": ["keys", "sandbox"],
  "additionalProperties": false
}`)

// feesSchema is inlined twice rather than shared through $ref, which some
// assistants do not resolve.
const feesSchema = `{
      "type": "object",
      "description": "Amounts in USDC; percentages as io.net sends them.",
      "properties": {
        "discount": {"type": "number"},
        "ionet_fee": {"type": "number"},
        "ionet_fee_percent": {"type": "number"},
        "currency_conversion_fee": {"type": "number"},
        "currency_conversion_fee_percent": {"type": "number"}
      },
      "required": ["discount", "ionet_fee", "ionet_fee_percent", "currency_conversion_fee", "currency_conversion_fee_percent"],
      "additionalProperties": false
    }`

var quoteOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "hardware": {
      "type": "object",
      "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "brand": {"type": "string"}
      },
      "required": ["id", "name", "brand"],
      "additionalProperties": false
    },
    "gpus_per_container": {"type": "integer"},
    "replicas": {"type": "integer"},
    "hours": {"type": "integer"},
    "locations": {
      "type": "array",
      "description": "Locations with room for all the replicas, cheapest first, each priced on its own.",
      "items": {
        "type": "object",
        "properties": {
          "id": {"type": "integer"},
          "iso2": {"type": "string"},
          "name": {"type": "string"},
          "available_replicas": {"type": "integer", "description": "Containers of this size that fit here now."},
          "total_cost_usdc": {"type": "number"},
          "cost_per_hour_usdc": {"type": "number"},
          "fees": ` + feesSchema + `
        },
        "required": ["id", "iso2", "name", "available_replicas", "total_cost_usdc", "cost_per_hour_usdc", "fees"],
        "additionalProperties": false
      }
    },
    "total_cost_usdc": {"type": "number", "description": "The cheapest location's total, fees included."},
    "cost_per_hour_usdc": {"type": "number"},
    "fees": ` + feesSchema + `,
    "fetched_at": {"type": "string", "format": "date-time"},
    "sandbox": {"type": "boolean", "description": "True when this is sandbox data, not real io.net."}
  },
  "required": ["hardware", "gpus_per_container", "replicas", "hours", "locations", "total_cost_usdc", "cost_per_hour_usdc", "fees", "fetched_at", "sandbox"],
  "additionalProperties": false
}`)
