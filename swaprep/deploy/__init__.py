"""`swaprep deploy`: NCP Cloud Functions resources from the action manifests and a deploy env
(deploy/envs/<name>.toml), planned as a diff and applied through NCP's signed REST APIs."""
