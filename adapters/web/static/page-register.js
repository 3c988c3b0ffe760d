import { accountForm } from "./account-form.js";

accountForm({
  form: "#register-form",
  email: "#register-email",
  password: "#register-password",
  error: "#register-error",
  path: "/api/auth/register",
  after: "/settings?welcome=1",
});
