package tools

import "encoding/json"

// Output schemas are written by hand rather than generated from Go types: a
// generated schema types every slice as ["null","array"], which some
// assistants (Gemini among them) reject, and the handlers never send null.
// WithOutputSchemaValidation checks every result against these, and the
// snapshots in testdata make any change to them deliberate.

var hardwareOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "hardware": {
      "type": "array",
      "description": "GPU types io.net offers for containers.",
      "items": {
        "type": "object",
        "properties": {
          "id": {"type": "integer", "description": "Hardware id; pass it (or the name) to list_available_replicas."},
          "name": {"type": "string"},
          "brand": {"type": "string"},
          "max_gpus_per_container": {"type": "integer"},
          "available_gpus": {"type": "integer", "description": "Free GPUs of this type across all locations."}
        },
        "required": ["id", "name", "brand", "max_gpus_per_container", "available_gpus"],
        "additionalProperties": false
      }
    },
    "fetched_at": {"type": "string", "format": "date-time", "description": "When io.net answered (cached answers keep their time)."},
    "sandbox": {"type": "boolean", "description": "True when this is sandbox data, not real io.net."}
  },
  "required": ["hardware", "fetched_at", "sandbox"],
  "additionalProperties": false
}`)

var replicasOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "gpus_per_container": {"type": "integer"},
    "hardware": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "id": {"type": "integer"},
          "name": {"type": "string"},
          "brand": {"type": "string"},
          "locations": {
            "type": "array",
            "description": "Sorted by available_replicas, most first.",
            "items": {
              "type": "object",
              "properties": {
                "id": {"type": "integer"},
                "iso2": {"type": "string"},
                "name": {"type": "string"},
                "available_replicas": {"type": "integer", "description": "Containers of this size that fit here now."}
              },
              "required": ["id", "iso2", "name", "available_replicas"],
              "additionalProperties": false
            }
          },
          "total_available_replicas": {"type": "integer"}
        },
        "required": ["id", "name", "brand", "locations", "total_available_replicas"],
        "additionalProperties": false
      }
    },
    "total_available_replicas": {"type": "integer"},
    "fetched_at": {"type": "string", "format": "date-time"},
    "sandbox": {"type": "boolean", "description": "True when this is sandbox data, not real io.net."}
  },
  "required": ["gpus_per_container", "hardware", "total_available_replicas", "fetched_at", "sandbox"],
  "additionalProperties": false
}`)

var createKeyOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "status": {
      "type": "string",
      "enum": ["created", "confirmation_required", "approval_required", "approval_pending", "cancelled", "created_secret_unavailable", "not_created", "unknown"],
      "description": "approval_required: nothing was created; give approval_url to the user, who decides there. approval_pending: the user has not decided yet. created: the key exists. confirmation_required: nothing was created; show the preview to the user and, only if they agree, call again with the same arguments plus confirmation_token. cancelled: nothing was created. created_secret_unavailable: the key exists (key_id, display) but its secret was lost; tell the user to revoke it. not_created: nothing was created; safe to start over. unknown: io.net's answer was lost; check the key list before trying again."
    },
    "key_id": {"type": "string"},
    "display": {"type": "string", "description": "io.net's masked form of the key, safe to show."},
    "description": {"type": "string"},
    "project": {"type": "string"},
    "scopes": {"type": "array", "items": {"type": "string"}},
    "expires_at": {"type": "string", "format": "date-time", "description": "created: when the key expires. confirmation_required: when confirmation_token expires."},
    "api_key": {"type": "string", "description": "The new key's secret, shown only this once."},
    "saved_to": {"type": "string", "description": "File holding the new key's secret (when the server keeps secrets out of the conversation)."},
    "confirmation_token": {"type": "string", "description": "Pass back with identical arguments: to confirm (confirmation_required), or to ask for the outcome (approval_required)."},
    "approval_url": {"type": "string", "format": "uri", "description": "The page where the user approves or cancels this request; give it to them."},
    "secret_delivery": {"type": "string", "enum": ["approval_page"], "description": "Where the new key's secret was shown (it is not in this answer)."},
    "preview": {
      "type": "object",
      "description": "Exactly what will be created.",
      "properties": {
        "description": {"type": "string"},
        "project": {"type": "string"},
        "scopes": {"type": "array", "items": {"type": "string"}},
        "expires_at": {"type": "string", "format": "date-time"}
      },
      "required": ["description", "project", "scopes", "expires_at"],
      "additionalProperties": false
    },
    "sandbox": {"type": "boolean", "description": "True when the key was (or would be) created in the sandbox, not on io.net."}
  },
  "required": ["status", "sandbox"],
  "additionalProperties": false
}`)

// revokeKeyOutputSchema: every status revoke_api_key answers with.
var revokeKeyOutputSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "status": {
      "type": "string",
      "enum": ["revoked", "cancelled", "not_found", "confirmation_required", "approval_required", "approval_pending", "not_revoked", "unknown"],
      "description": "revoked: the key is gone. cancelled: the user said no; the key still works. not_found: io.net has no key with this id. confirmation_required / approval_required: nothing revoked yet; see the text. approval_pending: the user has not decided. not_revoked: io.net refused; the key still works. unknown: io.net's answer was lost; list the keys."
    },
    "key_id": {"type": "string"},
    "preview": {
      "type": "object",
      "properties": {
        "description": {"type": "string"},
        "display": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"}
      },
      "required": ["description", "display", "expires_at"],
      "additionalProperties": false
    },
    "confirmation_token": {"type": "string"},
    "approval_url": {"type": "string", "format": "uri"},
    "expires_at": {"type": "string", "format": "date-time", "description": "When confirmation_token expires."},
    "sandbox": {"type": "boolean"}
  },
  "required": ["status", "sandbox"],
  "additionalProperties": false
}`)
