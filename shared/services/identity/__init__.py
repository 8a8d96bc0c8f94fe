"""Who may call: sign-in, refresh and users (`auth`), API keys and the authorizer's check
(`apikeys`); the roles themselves are `shared.domain.roles`."""
